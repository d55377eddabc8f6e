/// How many documents entered, left and failed in one shape during an execution: the engine counts
/// into it, the store keeps it, and the execution summary JSON lists it under `shapes`.
public struct ShapeCount: Sendable, Hashable, Codable {
    /// The `id` of the shape in the process (`shapeId` in JSON).
    public var shapeID: String
    /// Documents that reached the shape.
    public var documentsIn: Int
    /// Documents the shape passed on through its exits.
    public var documentsOut: Int
    /// Documents that failed in the shape.
    public var documentsError: Int

    /// Creates the counts of one shape.
    public init(shapeID: String, documentsIn: Int = 0, documentsOut: Int = 0, documentsError: Int = 0) {
        self.shapeID = shapeID
        self.documentsIn = documentsIn
        self.documentsOut = documentsOut
        self.documentsError = documentsError
    }

    enum CodingKeys: String, CodingKey {
        case shapeID = "shapeId", documentsIn, documentsOut, documentsError
    }
}
