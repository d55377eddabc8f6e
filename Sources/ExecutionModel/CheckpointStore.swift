import Foundation

/// Where exactly-once writers keep how far they got between runs. The engine hands one to
/// connectors (`ConnectorEnvironment.checkpoints`); connectors know nothing of where or how it
/// keeps them. The execution store is one (SQLite); another store implements this protocol.
///
/// A checkpoint belongs to one execution at a time. Implementations keep two guarantees:
/// - **Ownership**: ``claimCheckpoint(processID:destination:executionID:)`` hands a checkpoint
///   over only from an execution that has ended, never from one still running; a save or a
///   release by an execution that no longer owns it changes nothing.
/// - **Never backwards**: a save of the same stream with a smaller offset or fewer rows done
///   leaves the saved checkpoint as it is.
public protocol CheckpointStore: Sendable {
    /// Makes the checkpoint of `processID` for `destination` belong to `executionID`: a new,
    /// empty one when there is none (``WriteCheckpointClaim/fresh``), the one an ended execution left
    /// (``WriteCheckpointClaim/resumed(_:)``), or nothing when an execution still running owns it
    /// (``WriteCheckpointClaim/held(by:)``, also when `executionID` itself already owns it).
    func claimCheckpoint(processID: String, destination: String, executionID: String) throws -> WriteCheckpointClaim

    /// Creates the checkpoint or moves it forward (never back).
    /// - Throws: when another execution owns it, or it is of another stream: the saving writer
    ///   no longer owns it and must not write under it.
    func saveCheckpoint(_ checkpoint: WriteCheckpoint) throws

    /// Removes the checkpoint if `executionID` owns it; returns whether it did.
    @discardableResult
    func releaseCheckpoint(processID: String, destination: String, executionID: String) throws -> Bool
}
