import Foundation

/// Where exactly-once writers keep how far they got between runs. The engine hands one to
/// connectors in ``ConnectorEnvironment/checkpoints``; connectors know nothing of where or how
/// it keeps them.
///
/// A checkpoint belongs to one execution at a time. Implementations keep two guarantees:
/// - **Ownership**: ``claimCheckpoint(processID:destination:executionID:)`` hands a checkpoint
///   over only from an execution that has ended, never from one still running; a save or a
///   release by an execution that no longer owns it changes nothing.
/// - **Never backwards**: a save of the same stream with a smaller offset or fewer rows done
///   leaves the saved checkpoint as it is.
public protocol CheckpointStore: Sendable {
    /// Makes the checkpoint of `processID` for `destination` belong to `executionID`: a new,
    /// empty one when there is none (``CheckpointClaim/fresh``), the one an ended execution left
    /// (``CheckpointClaim/resumed(_:)``), or nothing when an execution still running owns it
    /// (``CheckpointClaim/held(by:)``, also when `executionID` itself already owns it).
    func claimCheckpoint(processID: String, destination: String, executionID: String) throws -> CheckpointClaim

    /// Creates the checkpoint or moves it forward (never back).
    /// - Throws: when another execution owns it, or it is of another stream: the saving writer
    ///   no longer owns it and must not write under it.
    func saveCheckpoint(_ checkpoint: WriterCheckpoint) throws

    /// Removes the checkpoint if `executionID` owns it; returns whether it did.
    @discardableResult
    func releaseCheckpoint(processID: String, destination: String, executionID: String) throws -> Bool
}

/// How far an exactly-once writer got on one destination: its stream and the offset after the
/// last acknowledged row, kept until the writer finishes so that a re-run can resume.
public struct WriterCheckpoint: Sendable, Hashable {
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
    /// The execution that owns the checkpoint.
    public var executionID: String
    /// When it was saved.
    public var updatedAt: Date

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

/// What claiming a process's checkpoint for a destination came to.
public enum CheckpointClaim: Sendable, Hashable {
    /// There was none: an empty checkpoint (no stream yet) now belongs to the claiming execution.
    case fresh
    /// An execution that is no longer running left this checkpoint; it now belongs to the
    /// claiming execution, which resumes it.
    case resumed(WriterCheckpoint)
    /// An execution still running owns the checkpoint (or the claiming execution already owns it
    /// through another writer): nothing may be written under it.
    case held(by: String)
}
