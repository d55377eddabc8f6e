import Foundation

/// What a map can read besides the source document: the time and the properties in scope.
public struct MapContext: Sendable {
    /// The current time, read by `current-date`.
    public var now: Date
    /// Dynamic document properties, read by `get-document-property`.
    public var documentProperties: [String: String]
    /// Process properties, read by `get-process-property`.
    public var processProperties: [String: String]

    /// Creates a context; `now` defaults to the current time.
    public init(now: Date = Date(), documentProperties: [String: String] = [:],
                processProperties: [String: String] = [:]) {
        self.now = now
        self.documentProperties = documentProperties
        self.processProperties = processProperties
    }
}
