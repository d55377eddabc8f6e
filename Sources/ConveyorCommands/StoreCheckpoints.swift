import ExecutionStore
import ProcessEngine

/// The engine's checkpoint store over the execution store: connectors' exactly-once writers keep
/// their checkpoints in the workspace's `write_checkpoints` table, with the store's ownership
/// (leases) and never-backwards guarantees.
struct StoreCheckpoints: CheckpointStore {
    let store: ExecutionStore

    func claimCheckpoint(processID: String, destination: String, executionID: String) throws -> CheckpointClaim {
        switch try store.claimWriteCheckpoint(processID: processID, destination: destination, executionID: executionID) {
        case .fresh: .fresh
        case .resumed(let checkpoint): .resumed(Self.engine(checkpoint))
        case .held(let owner): .held(by: owner)
        }
    }

    func saveCheckpoint(_ checkpoint: WriterCheckpoint) throws {
        try store.save(WriteCheckpoint(processID: checkpoint.processID, destination: checkpoint.destination,
                                       stream: checkpoint.stream, nextOffset: checkpoint.nextOffset,
                                       rowsDone: checkpoint.rowsDone, executionID: checkpoint.executionID,
                                       updatedAt: checkpoint.updatedAt))
    }

    @discardableResult
    func releaseCheckpoint(processID: String, destination: String, executionID: String) throws -> Bool {
        try store.removeWriteCheckpoint(processID: processID, destination: destination, executionID: executionID)
    }

    private static func engine(_ checkpoint: WriteCheckpoint) -> WriterCheckpoint {
        WriterCheckpoint(processID: checkpoint.processID, destination: checkpoint.destination, stream: checkpoint.stream,
                         nextOffset: checkpoint.nextOffset, rowsDone: checkpoint.rowsDone,
                         executionID: checkpoint.executionID, updatedAt: checkpoint.updatedAt)
    }
}
