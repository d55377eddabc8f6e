import Foundation

/// How far an exactly-once writer got on one destination: its stream and the offset after
/// the last acknowledged row, kept until the writer finishes so a re-run can resume.
public struct WriteCheckpoint: Sendable, Hashable {
    /// The process that writes.
    public var processID: String
    /// The destination (e.g. `project.dataset.table`).
    public var destination: String
    /// The write stream's full name.
    public var stream: String
    /// The offset the next row gets (rows acknowledged so far).
    public var nextOffset: Int64
    /// Input rows dealt with so far (written or failed), in input order.
    public var rowsDone: Int64
    /// The execution that saved the checkpoint.
    public var executionID: String
    /// When it was saved.
    public var updatedAt: Date

    /// Creates a checkpoint.
    public init(processID: String, destination: String, stream: String, nextOffset: Int64, rowsDone: Int64,
                executionID: String, updatedAt: Date = Date()) {
        self.processID = processID
        self.destination = destination
        self.stream = stream
        self.nextOffset = nextOffset
        self.rowsDone = rowsDone
        self.executionID = executionID
        self.updatedAt = updatedAt
    }
}
