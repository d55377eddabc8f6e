import Foundation

/// How far an exactly-once writer got on one destination: its stream and the offset after
/// the last acknowledged row, kept until the writer finishes so a re-run can resume.
///
/// A checkpoint belongs to one execution at a time (``executionID``): the one that created it,
/// or the one that took it over after its owner ended (see
/// ``ExecutionStore/claimWriteCheckpoint(processID:destination:executionID:)``).
public struct WriteCheckpoint: Sendable, Hashable {
    /// The process that writes.
    public var processID: String
    /// The destination (e.g. `project.dataset.table`).
    public var destination: String
    /// The write stream's full name; empty while the owner has not created it yet.
    public var stream: String
    /// The offset the next row gets (rows acknowledged so far).
    public var nextOffset: Int64
    /// Input rows dealt with so far (written or rejected), in input order.
    public var rowsDone: Int64
    /// The execution that owns the checkpoint (the last to claim or save it).
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

/// What claiming a process's write checkpoint for a destination came to.
public enum WriteCheckpointClaim: Sendable, Hashable {
    /// There was none: an empty checkpoint (no stream yet) now belongs to the claiming execution.
    case fresh
    /// An execution that is no longer running left this checkpoint; it now belongs to the claiming
    /// execution, which resumes it.
    case resumed(WriteCheckpoint)
    /// Another execution that is still running owns the checkpoint (or the claiming execution
    /// already owns it through another writer): nothing may be written under it.
    case held(by: String)
}
