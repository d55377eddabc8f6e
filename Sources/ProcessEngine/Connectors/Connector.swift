import ProcessModel
import Synchronization

/// A kind of connection (`google-bigquery`, `disk`, …). The engine finds connectors by
/// connection `type` in a ``ConnectorRegistry`` and knows nothing else about them.
public protocol Connector: Sendable {
    /// The connection `type` this connector serves.
    var type: String { get }

    /// Checks a connection and operation's settings when the workspace is validated.
    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic]

    /// Prepares an operation for one execution.
    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation
}

/// What a connector may know about where it runs.
public struct ConnectorEnvironment: Sendable {
    /// The workspace directory (absolute).
    public var workspaceRoot: String
    /// Environment variables of the host.
    public var variables: [String: String]
    /// Called once for every request the operation's transport sends again after a transient
    /// failure (HTTP retries, stream reconnects); the engine counts them in ``Execution/retries``.
    public var countRetry: @Sendable () -> Void
    /// Called before the operation waits to send a request again (see ``RetryNotice``); the engine
    /// passes it to the run's ``ProgressObserver``.
    public var noteRetry: @Sendable (RetryNotice) -> Void
    /// Where exactly-once writers keep their checkpoints; nil when the run keeps none (then an
    /// operation that needs them refuses to start).
    public var checkpoints: (any CheckpointStore)?

    public init(workspaceRoot: String, variables: [String: String], countRetry: @escaping @Sendable () -> Void = {},
                noteRetry: @escaping @Sendable (RetryNotice) -> Void = { _ in },
                checkpoints: (any CheckpointStore)? = nil) {
        self.workspaceRoot = workspaceRoot
        self.variables = variables
        self.countRetry = countRetry
        self.noteRetry = noteRetry
        self.checkpoints = checkpoints
    }
}

/// An operation ready to run inside one execution.
public protocol ConnectorOperation: Sendable {
    /// Produces the documents of a start shape, handing them over in chunks.
    func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws

    /// Produces the documents of a start shape like ``read(context:emit:)``, but hands each chunk
    /// over in place: the receiver may take the documents out of the array, so they move on without
    /// being copied; on return the array holds documents the process is done with (possibly none),
    /// whose buffers the operation may reuse. The default runs ``read(context:emit:)``.
    func readInPlace(context: OperationContext, handOver: (inout [Document]) async throws -> Void) async throws

    /// Runs the operation on a batch of documents entering a connector shape.
    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome

    /// Runs the operation on a batch, handing output documents to `emit` as they become ready
    /// (page by page, for results too large to hold). Documents passed to `emit` continue down
    /// the process before the next ones are produced; the returned outcome's `outputs` follow
    /// them. The default runs ``execute(_:context:)`` and returns its outcome unchanged.
    func execute(_ documents: [Document], context: OperationContext,
                 emit: ([Document]) async throws -> Void) async throws -> OperationOutcome

    /// Releases what the operation holds (streams, files) at the end of the execution.
    func close() async

    /// True when reading (as a start shape) does nothing that assumes the process is done with
    /// the chunks already handed over: no file deleted, nothing acknowledged. The engine may then
    /// read the next chunk while a connector still works on the last one. False unless an
    /// operation says so.
    var readsWithoutSideEffects: Bool { get }

    /// This operation as one whose batches may overlap, or nil. The engine asks through these three
    /// rather than casting with `as?`: a cast to a protocol that the runtime has not answered before
    /// scans every conformance in the executable (about 100 µs each, for each operation type a run
    /// meets). Each protocol's extension answers for the types that conform to it.
    var asOverlapping: (any OverlappingConnectorOperation)? { get }
    /// This operation as one that may take a map's batches unmapped, or nil.
    var asMapFusing: (any MapFusingOperation)? { get }
    /// This operation as one that may take the documents of a batch, or nil.
    var asInPlace: (any InPlaceConnectorOperation)? { get }
}

/// An operation whose batches may overlap in a connector shape: the engine begins the next
/// batch before the previous one is finished, so the next chunk is read, mapped and taken in
/// (encoded) while the previous one waits on the network. The engine does so only where nothing
/// else runs in between that could see the difference (see `ExecutionRun.overlapShape(of:)`).
public protocol OverlappingConnectorOperation: ConnectorOperation {
    /// Begins the operation on a batch. Calls come in batch order, each after the one before
    /// returned; what must happen in that order happens before it returns, the rest in the
    /// returned task, whose value is what ``ConnectorOperation/execute(_:context:)`` would return.
    func begin(_ documents: [Document], context: OperationContext) async -> Task<OperationOutcome, any Error>

    /// ``begin(_:context:)`` on a batch handed over: the operation may take the documents out of
    /// `documents` (the engine keeps only their indexes) and change them in place, as an
    /// ``InPlaceConnectorOperation`` does. Its task cannot fail: every error is a document's, so
    /// nothing needs handing back. Documents it dead-letters must be among the outputs, unchanged.
    /// Nil, with `documents` as they were, when the operation cannot take this batch: the engine
    /// then calls ``begin(_:context:)``. The engine hands a batch over only when it needs nothing
    /// of the documents afterwards but their indexes.
    func beginHandedOver(_ documents: inout [Document], context: OperationContext) async -> Task<HandedOverOutcome, Never>?
}

extension OverlappingConnectorOperation {
    public var asOverlapping: (any OverlappingConnectorOperation)? { self }

    public func beginHandedOver(_ documents: inout [Document], context: OperationContext) async
        -> Task<HandedOverOutcome, Never>? {
        nil
    }
}

/// The outcome of a batch handed over, passed out of its task in a box the engine empties. A
/// task keeps its result until the last reference to the task goes, which may be the executor
/// that ran it, a moment after the engine read the result: an outcome returned as the result
/// would then still be shared, and the next change to its documents (the start shape reusing
/// their buffers) would copy the whole batch.
public final class HandedOverOutcome: Sendable {
    private let outcome: Mutex<OperationOutcome?>

    public init(_ outcome: consuming OperationOutcome) {
        self.outcome = Mutex(outcome)
    }

    /// The outcome, moved out (a second call gets an empty one).
    func take() -> OperationOutcome {
        outcome.withLock { value in
            defer { value = nil }
            return value ?? OperationOutcome(outputs: [])
        }
    }
}

/// An operation that may take the documents of a batch instead of copying them: the documents it
/// passes on are the ones it was handed, changed in place. The engine hands a batch over (calls
/// ``executeInPlace(_:context:)`` instead of ``ConnectorOperation/execute(_:context:emit:)``) only
/// when it needs nothing of the documents afterwards but their indexes; the two must give the
/// same outcome.
public protocol InPlaceConnectorOperation: ConnectorOperation {
    /// Runs the operation on the batch in `documents`, which it may take apart: moving documents
    /// into the outcome's outputs and failures, leaving `documents` empty (or holding documents it
    /// is done with). Documents it dead-letters must be among the outputs, as always, and unchanged:
    /// the engine captures them from there (`captureDocuments="errors"`). When it
    /// throws, `documents` must hold the batch as it was handed over: the engine fails each one.
    func executeInPlace(_ documents: inout [Document], context: OperationContext) async throws -> OperationOutcome
}

extension InPlaceConnectorOperation {
    public var asInPlace: (any InPlaceConnectorOperation)? { self }
}

extension ConnectorOperation {
    public func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
        throw DocumentError("this operation cannot start a process: it reads no documents", code: .process)
    }

    public func readInPlace(context: OperationContext, handOver: (inout [Document]) async throws -> Void) async throws {
        try await read(context: context, emit: { documents in
            var chunk = documents
            try await handOver(&chunk)
        })
    }

    public func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        throw DocumentError("this operation cannot be used in a connector shape", code: .process)
    }

    public func execute(_ documents: [Document], context: OperationContext,
                        emit: ([Document]) async throws -> Void) async throws -> OperationOutcome {
        try await execute(documents, context: context)
    }

    public func close() async {}

    public var readsWithoutSideEffects: Bool { false }

    public var asOverlapping: (any OverlappingConnectorOperation)? { nil }
    public var asMapFusing: (any MapFusingOperation)? { nil }
    public var asInPlace: (any InPlaceConnectorOperation)? { nil }
}

/// The result of an operation on a batch: documents that continue, and documents that failed.
public struct OperationOutcome: Sendable {
    /// Documents leaving the shape (results, or the inputs, as the operation defines).
    public var outputs: [Document]
    /// Input documents that failed, with the reason; they stop here and are recorded.
    public var failures: [DocumentFailure]
    /// Error responses returned as documents (`returnApplicationErrors`); they are among `outputs`
    /// and make the execution COMPLETE_WARN.
    public var applicationErrors: Int
    /// Documents the operation could not deliver and kept in a dead-letter queue instead. They are
    /// among `outputs` (they go on), are tracked with status `dead-lettered` and their reason, are
    /// counted in ``Execution/documentsDeadLettered`` and make the execution COMPLETE_WARN.
    public var deadLettered: [DeadLetter]
    /// Lines for the execution's user log (what the operation did that the user should know of,
    /// such as a column added to a table).
    public var logLines: [String] = []
    /// Inputs the batch's pending map failed (``OperationContext/pendingMap``), as they came in:
    /// recorded at the map shape, never among `outputs` or `failures`.
    public var mapFailures: [DocumentFailure] = []

    public init(outputs: [Document], failures: [DocumentFailure] = [], applicationErrors: Int = 0,
                deadLettered: [DeadLetter] = []) {
        self.outputs = outputs
        self.failures = failures
        self.applicationErrors = applicationErrors
        self.deadLettered = deadLettered
    }
}

/// One document an operation kept in its dead-letter queue instead of delivering it.
public struct DeadLetter: Sendable, Hashable {
    /// The document's index in the execution.
    public var index: Int
    /// Why it could not be delivered.
    public var reason: String

    public init(index: Int, reason: String) {
        self.index = index
        self.reason = reason
    }
}

/// One input document that an operation could not process.
public struct DocumentFailure: Sendable {
    public var document: Document
    public var message: String
    /// What kind of failure it is (stored with the document's error).
    public var code: DocumentError.Code

    public init(document: Document, message: String, code: DocumentError.Code) {
        self.document = document
        self.message = message
        self.code = code
    }

    /// A failure with `error`'s message and code (``DocumentError/Code/connector`` for an error
    /// that is not a ``DocumentError``).
    public init(document: Document, error: any Error) {
        self.init(document: document, message: "\(error)", code: DocumentError.code(of: error, else: .connector))
    }
}

/// Connectors by connection type.
public struct ConnectorRegistry: Sendable {
    private var connectors: [String: any Connector] = [:]

    public init(_ connectors: [any Connector] = []) {
        for connector in connectors { register(connector) }
    }

    /// Adds a connector, replacing any of the same type.
    public mutating func register(_ connector: any Connector) {
        connectors[connector.type] = connector
    }

    /// The connector for a connection type.
    public func connector(for type: String) -> (any Connector)? { connectors[type] }

    /// The registered types, sorted.
    public var types: [String] { connectors.keys.sorted() }
}
