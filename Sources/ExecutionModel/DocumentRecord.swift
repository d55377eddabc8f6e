public import Foundation

/// The tracking record of one document that passed a connector shape.
///
/// Its `Codable` form is the document of the execution JSON (docs/execution-json.md), the same in
/// `conveyor executions show --json`, `conveyor run --json`, `conveyor tracked search --json` and
/// the REST API; ``count`` is not part of it (a record read back stands for one document).
///
/// When recording, one record may stand for a run of documents (``count`` greater than 1);
/// records read back from the store always describe one document each.
public struct DocumentRecord: Sendable, Hashable, Codable {
    /// The execution the document belongs to.
    public var executionID: String
    /// The `id` of the connector shape.
    public var shapeID: String
    /// The connection component the shape used, if any.
    public var connectionID: String?
    /// The operation component the shape used, if any.
    public var operationID: String?
    /// `input` for documents sent to the connector, `output` for documents it returned.
    public var direction: String
    /// The position of the document among those of the shape and direction.
    public var index: Int
    /// How the document fared.
    public var status: DocumentStatus
    /// The error message for a failed document.
    public var error: String?
    /// What kind of failure ``error`` is: a stable code such as `mapping` or `rejected` (see
    /// docs/format.md); nil for documents without one, and for records stored before codes were kept.
    public var errorCode: String?
    /// The tracked field values extracted from the document, in order.
    public var trackedValues: [TrackedValue]
    /// When the document was recorded (kept with millisecond precision).
    public var recordedAt: Date
    /// How many documents the record stands for: the documents `index ..< index + count`, all
    /// with the same outcome. Values below 1 count as 1. The store keeps a run of successful
    /// documents without tracked values as one row, and reads it back one record per document.
    public var count: Int

    /// Creates a document tracking record.
    public init(
        executionID: String,
        shapeID: String,
        connectionID: String? = nil,
        operationID: String? = nil,
        direction: String,
        index: Int,
        status: DocumentStatus = .success,
        error: String? = nil,
        errorCode: String? = nil,
        trackedValues: [TrackedValue] = [],
        recordedAt: Date = Date(),
        count: Int = 1
    ) {
        self.executionID = executionID
        self.shapeID = shapeID
        self.connectionID = connectionID
        self.operationID = operationID
        self.direction = direction
        self.index = index
        self.status = status
        self.error = error
        self.errorCode = errorCode
        self.trackedValues = trackedValues
        self.recordedAt = recordedAt
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case executionID = "executionId", shapeID = "shapeId", connectionID = "connectionId"
        case operationID = "operationId", direction, index, status, error, errorCode, trackedValues, recordedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(executionID: try container.decode(String.self, forKey: .executionID),
                  shapeID: try container.decode(String.self, forKey: .shapeID),
                  connectionID: try container.decodeIfPresent(String.self, forKey: .connectionID),
                  operationID: try container.decodeIfPresent(String.self, forKey: .operationID),
                  direction: try container.decode(String.self, forKey: .direction),
                  index: try container.decode(Int.self, forKey: .index),
                  status: try container.decode(DocumentStatus.self, forKey: .status),
                  error: try container.decodeIfPresent(String.self, forKey: .error),
                  errorCode: try container.decodeIfPresent(String.self, forKey: .errorCode),
                  trackedValues: try container.decode([TrackedValue].self, forKey: .trackedValues),
                  recordedAt: try container.decode(Date.self, forKey: .recordedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(executionID, forKey: .executionID)
        try container.encode(shapeID, forKey: .shapeID)
        try container.encodeIfPresent(connectionID, forKey: .connectionID)
        try container.encodeIfPresent(operationID, forKey: .operationID)
        try container.encode(direction, forKey: .direction)
        try container.encode(index, forKey: .index)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(errorCode, forKey: .errorCode)
        try container.encode(trackedValues, forKey: .trackedValues)
        try container.encode(recordedAt, forKey: .recordedAt)
    }
}
