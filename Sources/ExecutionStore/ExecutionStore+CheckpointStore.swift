/// The execution store is the engine's checkpoint store: exactly-once writers keep their
/// checkpoints in the `write_checkpoints` table, with the store's ownership (leases) and
/// never-backwards guarantees.
extension ExecutionStore: CheckpointStore {
    public func claimCheckpoint(processID: String, destination: String, executionID: String) throws -> WriteCheckpointClaim {
        try claimWriteCheckpoint(processID: processID, destination: destination, executionID: executionID)
    }

    public func saveCheckpoint(_ checkpoint: WriteCheckpoint) throws {
        try save(checkpoint)
    }

    @discardableResult
    public func releaseCheckpoint(processID: String, destination: String, executionID: String) throws -> Bool {
        try removeWriteCheckpoint(processID: processID, destination: destination, executionID: executionID)
    }
}
