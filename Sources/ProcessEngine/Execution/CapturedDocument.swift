import ProcessModel

/// The content of one document as it passed a connector shape, kept by `captureDocuments`
/// (see ``DocumentCaptureMode``): what a later retry re-sends from that shape.
///
/// The engine hands over the whole content; the recorder redacts secret values and cuts it at
/// ``limit`` before storing it.
public struct CapturedDocument: Sendable {
    public var shapeID: String
    public var connectionID: String?
    public var operationID: String?
    public var direction: DocumentTrace.Direction
    public var index: Int
    public var status: DocumentStatus
    /// The document's bytes, whole.
    public var content: [UInt8]
    /// The document's properties.
    public var properties: [String: String]
    /// Why the document failed or was dead-lettered; nil otherwise.
    public var error: String?
    public var errorCode: DocumentError.Code?
    /// The most bytes of ``content`` to keep (the process's `captureLimit`).
    public var limit: Int

    public init(shapeID: String, connectionID: String? = nil, operationID: String? = nil,
                direction: DocumentTrace.Direction, index: Int, status: DocumentStatus, content: [UInt8],
                properties: [String: String] = [:], error: String? = nil, errorCode: DocumentError.Code? = nil,
                limit: Int = DocumentCaptureMode.defaultLimit) {
        self.shapeID = shapeID
        self.connectionID = connectionID
        self.operationID = operationID
        self.direction = direction
        self.index = index
        self.status = status
        self.content = content
        self.properties = properties
        self.error = error
        self.errorCode = errorCode
        self.limit = limit
    }
}
