import ExecutionStore

/// Where exactly-once writers keep their checkpoints between runs.
protocol WriteCheckpointStore: Sendable {
    func writeCheckpoint(processID: String, destination: String) throws -> WriteCheckpoint?
    /// Takes the checkpoint for `executionID`, unless an execution still running owns it.
    func claimWriteCheckpoint(processID: String, destination: String, executionID: String) throws -> WriteCheckpointClaim
    /// Moves the checkpoint forward (never back); throws when another execution owns it.
    func save(_ checkpoint: WriteCheckpoint) throws
    /// Removes the checkpoint if `executionID` owns it.
    @discardableResult
    func removeWriteCheckpoint(processID: String, destination: String, executionID: String) throws -> Bool
}

extension ExecutionStore: WriteCheckpointStore {}
