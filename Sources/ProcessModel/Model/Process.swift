/// A process component (`processes/*.xml`).
public struct ProcessDefinition: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var allowSimultaneous: Bool
    public var stopIfNoDocuments: Bool
    public var schedules: [ScheduleDefinition]
    /// Process properties with their default values, in file order.
    public var properties: [ProcessPropertyDefinition]
    /// Shapes in file order; the start shape is `shapes[startIndex]`.
    public var shapes: [ShapeDefinition]
    public var location: SourceLocation
    /// The HTTP listener of a `<start><listener/></start>` shape, nil for other start shapes.
    public var listener: ListenerDefinition?
    /// Which documents' contents are kept at connector shapes (`captureDocuments`).
    public var captureDocuments: DocumentCaptureMode = .errors
    /// The most bytes of one captured content kept (`captureLimit`); the rest is cut.
    public var captureLimit: Int = DocumentCaptureMode.defaultLimit
    /// Where a retry of failed documents sends them again (`retryFrom`).
    public var retryFrom: RetryStart = .shape

    public init(id: String, name: String, description: String = "", allowSimultaneous: Bool = false,
                stopIfNoDocuments: Bool = true, schedules: [ScheduleDefinition] = [],
                properties: [ProcessPropertyDefinition] = [], shapes: [ShapeDefinition],
                location: SourceLocation) {
        self.id = id
        self.name = name
        self.description = description
        self.allowSimultaneous = allowSimultaneous
        self.stopIfNoDocuments = stopIfNoDocuments
        self.schedules = schedules
        self.properties = properties
        self.shapes = shapes
        self.location = location
    }

    /// The shape with this id.
    public func shape(_ id: String) -> ShapeDefinition? { shapes.first { $0.id == id } }

    /// The process's single start shape.
    public var startShape: ShapeDefinition? {
        shapes.first { if case .start = $0.kind { return true } else { return false } }
    }
}

/// Which documents' contents an execution keeps at its connector shapes (`captureDocuments`).
public enum DocumentCaptureMode: String, Sendable, Hashable, CaseIterable {
    /// No content is kept.
    case none
    /// The input content of documents that failed or were dead-lettered at a connector shape.
    case errors
    /// The inputs and outputs of every document at every connector shape.
    case all

    /// The default `captureLimit`: 64KB.
    public static let defaultLimit = 64 * 1024
    /// The largest `captureLimit` accepted: 16MB.
    public static let maximumLimit = 16 * 1024 * 1024
}

/// Where a retry sends the failed documents of an execution again (`retryFrom`).
public enum RetryStart: String, Sendable, Hashable, CaseIterable {
    /// Into the connector shape where each failed.
    case shape
    /// Into the shape after the start shape, as if the start shape had read them.
    case start
}

/// `<schedule cron timezone retries>`.
public struct ScheduleDefinition: Sendable, Hashable {
    public var cron: String
    public var timezone: String
    public var retries: Int
    public var location: SourceLocation

    public init(cron: String, timezone: String = "UTC", retries: Int = 0, location: SourceLocation) {
        self.cron = cron
        self.timezone = timezone
        self.retries = retries
        self.location = location
    }
}

/// `<property name value persist>` under `<properties>`.
public struct ProcessPropertyDefinition: Sendable, Hashable {
    public var name: String
    public var value: String
    public var persist: Bool

    public init(name: String, value: String, persist: Bool = false) {
        self.name = name
        self.value = value
        self.persist = persist
    }
}

/// One shape of a process graph.
public struct ShapeDefinition: Sendable, Hashable {
    public var id: String
    public var kind: ShapeKind
    public var location: SourceLocation

    public init(id: String, kind: ShapeKind, location: SourceLocation) {
        self.id = id
        self.kind = kind
        self.location = location
    }

    /// The ids of the shapes this shape can send documents to.
    public var exits: [String] {
        switch kind {
        case .start(_, let next), .connector(_, _, let next), .map(_, let next), .setProperties(_, let next),
             .message(_, let next), .split(_, let next), .combine(_, let next), .notify(_, let next),
             .processCall(_, let next), .flowControl(_, let next):
            return [next]
        case .decision(_, let onTrue, let onFalse):
            return [onTrue, onFalse]
        case .branch(let paths):
            return paths
        case .route(let route):
            return route.cases.map(\.next) + (route.defaultNext.map { [$0] } ?? [])
        case .tryCatch(let definition):
            return [definition.next, definition.onError]
        case .stop, .exception, .returnDocuments:
            return []
        }
    }

    /// The element name of the shape, as written in XML.
    public var elementName: String {
        switch kind {
        case .start: return "start"
        case .connector: return "connector"
        case .map: return "map"
        case .setProperties: return "setProperties"
        case .message: return "message"
        case .decision: return "decision"
        case .branch: return "branch"
        case .route: return "route"
        case .split: return "split"
        case .combine: return "combine"
        case .tryCatch: return "tryCatch"
        case .exception: return "exception"
        case .notify: return "notify"
        case .processCall: return "processCall"
        case .flowControl: return "flowControl"
        case .returnDocuments: return "returnDocuments"
        case .stop: return "stop"
        }
    }
}

/// What a start shape produces documents from.
public enum StartSource: Sendable, Hashable {
    /// `<connector connection operation/>`: an operation that reads documents.
    case connector(connection: String, operation: String)
    /// `<noData/>`: one empty document.
    case noData
    /// `<input/>`: documents given on the command line or an HTTP body.
    case input
    /// `<cdc/>`: the changes of a database's tables (see ``ChangeCaptureStart``).
    case changes(ChangeCaptureStart)
}

/// The behaviour of a shape.
public enum ShapeKind: Sendable, Hashable {
    case start(StartSource, next: String)
    case connector(connection: String, operation: String, next: String)
    case map(map: String, next: String)
    case setProperties([PropertyAssignment], next: String)
    /// `<message>`: replaces each document with a text filled from values.
    case message(MessageDefinition, next: String)
    /// `<decision>`: sends each document to `onTrue` or `onFalse`.
    case decision(DecisionDefinition, onTrue: String, onFalse: String)
    /// `<branch>`: every document down each path, one path after another.
    case branch(paths: [String])
    /// `<route>`: each document to the path whose value matches.
    case route(RouteDefinition)
    /// `<split by path>`: one document becomes many.
    case split(SplitDefinition, next: String)
    /// `<combine into>`: all documents reaching the shape become one.
    case combine(into: String, next: String)
    /// `<tryCatch next onError retries>`.
    case tryCatch(TryCatchDefinition)
    /// `<exception message>`: fails the documents with an interpolated message.
    case exception(message: String)
    /// `<notify level message>`: a user log line per document; documents continue.
    case notify(NotifyDefinition, next: String)
    /// `<processCall process wait>`: runs another process with the documents.
    case processCall(ProcessCallDefinition, next: String)
    /// `<flowControl batchSize threads>`: runs the rest of the path in batches.
    case flowControl(FlowControlDefinition, next: String)
    /// `<returnDocuments/>`: hands documents back to the caller.
    case returnDocuments
    /// `<stop continue>`: ends the path; `continue: false` also stops the execution.
    case stop(continue: Bool)
}

/// `<property scope name>` holding values, in a `setProperties` shape.
public struct PropertyAssignment: Sendable, Hashable {
    public enum Scope: String, Sendable, Hashable { case document, process }
    public var scope: Scope
    public var name: String
    public var value: ValueDefinition

    public init(scope: Scope, name: String, value: ValueDefinition) {
        self.scope = scope
        self.name = name
        self.value = value
    }
}
