/// How many documents entered, left and failed in one shape during an execution.
public struct ShapeCount: Sendable, Hashable, Codable {
    /// The `id` of the shape in the process.
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
}
