import ExecutionStore

/// Where exactly-once writers keep their checkpoints between runs.
protocol WriteCheckpointStore: Sendable {
    func writeCheckpoint(processID: String, destination: String) throws -> WriteCheckpoint?
    func save(_ checkpoint: WriteCheckpoint) throws
    @discardableResult
    func removeWriteCheckpoint(processID: String, destination: String) throws -> Bool
}

extension ExecutionStore: WriteCheckpointStore {}
