/// One document whose tracked field held the searched value, with its execution.
public struct TrackedMatch: Sendable, Hashable {
    /// The execution the document belongs to.
    public var execution: ExecutionRecord
    /// The document, with all its tracked values.
    public var document: DocumentRecord
    /// The tracked field that matched.
    public var field: String
    /// The stored value that matched.
    public var value: String

    /// Creates a search match.
    public init(execution: ExecutionRecord, document: DocumentRecord, field: String, value: String) {
        self.execution = execution
        self.document = document
        self.field = field
        self.value = value
    }
}
