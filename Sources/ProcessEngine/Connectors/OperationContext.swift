import DocumentMapping
import Foundation
import ProcessModel

/// What a shape or operation can read about the execution it runs in.
public struct OperationContext: Sendable {
    public var execution: ExecutionInfo
    /// The id of the shape running the operation.
    public var shapeID: String
    /// Process properties as they stand when the shape runs.
    public var processProperties: [String: String]
    /// Environment variables (for `source="env"` values).
    public var environment: [String: String]
    /// The clock, replaceable in tests.
    public var now: @Sendable () -> Date
    /// How many documents a start shape should hand over at a time: small chunks stay in the
    /// processor's cache from shape to shape; the engine raises it to the largest `<batchCount>`
    /// of the process's connector operations (up to the runner's chunk size) so their batches
    /// arrive whole.
    public var chunkSize = OperationContext.defaultChunkSize
    /// Set for a ``MapFusingOperation`` whose batch has not passed the map shape before it yet:
    /// the documents are that map's inputs.
    public var pendingMap: PendingMap?

    /// The start shapes' chunk size when no connector asks for more.
    public static let defaultChunkSize = 1_000

    public init(execution: ExecutionInfo, shapeID: String, processProperties: [String: String],
                environment: [String: String], now: @escaping @Sendable () -> Date = { Date() }) {
        self.execution = execution
        self.shapeID = shapeID
        self.processProperties = processProperties
        self.environment = environment
        self.now = now
    }

    /// Fills a text setting's `{…}` placeholders for one document.
    public func interpolate(_ text: InterpolatedText, for document: Document) throws(DocumentError) -> String {
        try text.render(document: document, processProperties: processProperties, execution: execution)
    }

    /// Fills a text setting's `{…}` placeholders for one document, each value passed through
    /// `encoding` (percent-encoding for a URL, say) and the literal text left as written.
    public func interpolate(_ text: InterpolatedText, for document: Document,
                            encoding: (String) -> String) throws(DocumentError) -> String {
        try text.render(document: document, processProperties: processProperties, execution: execution, encoding: encoding)
    }

    /// Evaluates a `<value>` for one document (parsing it as JSON if a profile path needs it).
    ///
    /// A profile path that selects nothing gives "" unless `requiringPaths` is true (setProperties):
    /// then it fails the document, naming the path.
    public func evaluate(_ value: ValueDefinition, for document: inout Document,
                         requiringPaths: Bool = false) throws(DocumentError) -> String {
        var result = ""
        for part in value.parts {
            result += try evaluate(part, for: &document, at: value.location, requiringPaths: requiringPaths)
        }
        return result
    }

    private func evaluate(_ source: ValueSource, for document: inout Document,
                          at location: SourceLocation, requiringPaths: Bool) throws(DocumentError) -> String {
        switch source {
        case .literal(let text):
            return text
        case .profile(let pathText):
            let path: DocumentPath
            do { path = try DocumentPath(pathText) } catch {
                throw DocumentError("\(location): '\(pathText)' is not a valid path", code: .path)
            }
            let json = try document.json()
            let found = path.values(in: json)
            if requiringPaths, found.isEmpty {
                throw DocumentError("\(location): path '\(pathText)' has no value in document \(document.index)", code: .path)
            }
            return found.compactMap(\.textValue).joined(separator: ",")
        case .documentProperty(let name):
            guard let value = document.property(name) else {
                throw DocumentError("\(location): document property '\(name)' is not set on document \(document.index)", code: .property)
            }
            return value
        case .processProperty(let name):
            guard let value = processProperties[name] else {
                throw DocumentError("\(location): process property '\(name)' is not set", code: .property)
            }
            return value
        case .execution(let field):
            return try InterpolatedText.executionField(field.rawValue, execution)
        case .currentDate(let format):
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            return formatter.string(from: now())
        case .environment(let name):
            guard let value = environment[name] else {
                throw DocumentError("\(location): environment variable '\(name)' is not set", code: .property)
            }
            return value
        }
    }
}
