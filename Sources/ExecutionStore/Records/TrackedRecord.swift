/// One tracked-field record as exported: the value, the document and execution it belongs to,
/// and its place in the audit chain.
public struct TrackedRecord: Sendable, Hashable {
    /// The record's sequence number in the audit chain.
    public var sequence: Int64
    /// The execution the document belongs to.
    public var executionID: String
    /// The process the execution ran.
    public var processID: String
    /// The connector shape that recorded the document.
    public var shapeID: String
    /// `input` or `output`.
    public var direction: String
    /// The document's index among those of the shape and direction.
    public var documentIndex: Int
    /// The document's status (`success`, `error`, …).
    public var status: String
    /// The tracked field name.
    public var field: String
    /// The value as stored (at most 1000 characters).
    public var value: String
    /// Whether the value was cut at 1000 characters.
    public var cut: Bool
    /// When the document was recorded, as stored: `2024-05-01T12:00:00.000Z`.
    public var recordedAt: String
    /// The record's chain hash (hex).
    public var chainHash: String

    /// Creates a record from its parts.
    public init(sequence: Int64, executionID: String, processID: String, shapeID: String, direction: String,
                documentIndex: Int, status: String, field: String, value: String, cut: Bool, recordedAt: String,
                chainHash: String) {
        self.sequence = sequence
        self.executionID = executionID
        self.processID = processID
        self.shapeID = shapeID
        self.direction = direction
        self.documentIndex = documentIndex
        self.status = status
        self.field = field
        self.value = value
        self.cut = cut
        self.recordedAt = recordedAt
        self.chainHash = chainHash
    }
}
