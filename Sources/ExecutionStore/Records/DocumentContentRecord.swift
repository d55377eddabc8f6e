import Foundation

/// The content of one document as it passed a connector shape (`captureDocuments`): what a
/// retry of the document re-sends from that shape.
///
/// Stored with secret values redacted and cut at the process's `captureLimit`; removed with its
/// execution (retention, purge).
public struct DocumentContentRecord: Sendable, Hashable {
    /// The execution the document belongs to.
    public var executionID: String
    /// The `id` of the connector shape.
    public var shapeID: String
    public var connectionID: String?
    public var operationID: String?
    /// `input` (sent to the connector) or `output` (returned by it).
    public var direction: String
    /// The document's index in the execution.
    public var index: Int
    /// How the document fared at the shape.
    public var status: DocumentStatus
    /// The bytes kept (at most the limit; empty in listings read without contents).
    public var content: [UInt8]
    /// The size of the whole content, before it was cut.
    public var size: Int
    /// Whether ``content`` is only the first bytes of the content.
    public var cut: Bool
    /// Whether secret values were replaced by `***` in the content or its properties (so the
    /// content kept is not the document's own, and a retry cannot send it).
    public var redacted: Bool
    /// The document's properties.
    public var properties: [String: String]
    /// Why the document failed or was dead-lettered.
    public var error: String?
    /// The stable code of ``error``.
    public var errorCode: String?
    /// When the content was recorded (millisecond precision).
    public var recordedAt: Date
    /// The number of bytes kept (``content``'s count when it was read).
    public var storedSize: Int

    public init(executionID: String, shapeID: String, connectionID: String? = nil, operationID: String? = nil,
                direction: String, index: Int, status: DocumentStatus, content: [UInt8], size: Int? = nil,
                cut: Bool = false, redacted: Bool = false, properties: [String: String] = [:], error: String? = nil, errorCode: String? = nil,
                recordedAt: Date = Date(), storedSize: Int? = nil) {
        self.executionID = executionID
        self.shapeID = shapeID
        self.connectionID = connectionID
        self.operationID = operationID
        self.direction = direction
        self.index = index
        self.status = status
        self.content = content
        self.size = size ?? content.count
        self.cut = cut
        self.redacted = redacted
        self.properties = properties
        self.error = error
        self.errorCode = errorCode
        self.recordedAt = recordedAt
        self.storedSize = storedSize ?? content.count
    }

    /// `content` cut to at most `limit` bytes, with the record's size and cut flag set.
    public static func cutting(_ content: [UInt8], at limit: Int) -> (content: [UInt8], size: Int, cut: Bool) {
        guard limit >= 0, content.count > limit else { return (content, content.count, false) }
        return (Array(content.prefix(limit)), content.count, true)
    }
}
