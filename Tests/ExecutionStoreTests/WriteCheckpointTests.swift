import Foundation
import Testing
import ExecutionStore

@Suite struct WriteCheckpointTests {
    @Test func checkpointsAreSavedMovedForwardReadFromAnotherConnectionAndRemoved() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.t") == nil)
        var checkpoint = WriteCheckpoint(processID: "load", destination: "p.d.t", stream: "projects/p/streams/s1",
                                         nextOffset: 100, rowsDone: 120, executionID: "ex-1", updatedAt: date(5_000))
        try store.save(checkpoint)
        checkpoint.nextOffset = 250
        checkpoint.rowsDone = 270
        try store.save(checkpoint)
        try store.save(WriteCheckpoint(processID: "load", destination: "p.d.other", stream: "s2", nextOffset: 1,
                                       rowsDone: 1, executionID: "ex-2"))

        let other = try ExecutionStore(path: database.path)
        #expect(try other.writeCheckpoint(processID: "load", destination: "p.d.t") == checkpoint)
        #expect(try other.removeWriteCheckpoint(processID: "load", destination: "p.d.t"))
        #expect(try !other.removeWriteCheckpoint(processID: "load", destination: "p.d.t"))
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.t") == nil)
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.other")?.stream == "s2")
        #expect(try store.writeCheckpoint(processID: "other", destination: "p.d.other") == nil)
    }

    @Test func aCheckpointNeverGoesBackwards() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        var checkpoint = WriteCheckpoint(processID: "load", destination: "p.d.t", stream: "s1", nextOffset: 150_000,
                                         rowsDone: 150_000, executionID: "ex-1", updatedAt: date(5_000))
        try store.save(checkpoint)
        // A resumed run saving while it still skips the rows written before: the saved place stays.
        var behind = checkpoint
        behind.rowsDone = 10_000
        try store.save(behind)
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.t") == checkpoint)
        behind = checkpoint
        behind.nextOffset = 10
        try store.save(behind)
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.t") == checkpoint)
        checkpoint.rowsDone = 150_100
        checkpoint.nextOffset = 150_100
        try store.save(checkpoint)
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.t") == checkpoint)
        // Another stream, or another execution, cannot save over it.
        var stranger = checkpoint
        stranger.stream = "s2"
        #expect(throws: StoreError.self) { try store.save(stranger) }
        stranger = checkpoint
        stranger.executionID = "ex-2"
        stranger.rowsDone += 1
        #expect(throws: StoreError.self) { try store.save(stranger) }
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.t") == checkpoint)
    }

    @Test func aCheckpointIsClaimedOnlyFromAnExecutionThatEnded() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        // None yet: an empty one, owned by the claimer.
        #expect(try store.claimWriteCheckpoint(processID: "load", destination: "p.d.t", executionID: "ex-1") == .fresh)
        let lease = try #require(try store.lease(executionID: "ex-1"))
        try store.save(WriteCheckpoint(processID: "load", destination: "p.d.t", stream: "s1", nextOffset: 40,
                                       rowsDone: 42, executionID: "ex-1"))
        // ex-1 runs (its lease is held): another execution is refused, and so is ex-1 claiming twice.
        #expect(try store.claimWriteCheckpoint(processID: "load", destination: "p.d.t", executionID: "ex-2") == .held(by: "ex-1"))
        #expect(try store.claimWriteCheckpoint(processID: "load", destination: "p.d.t", executionID: "ex-1") == .held(by: "ex-1"))
        #expect(try !store.removeWriteCheckpoint(processID: "load", destination: "p.d.t", executionID: "ex-2"))
        // ex-1 ended (crash, kill, or a failed batch): ex-2 takes the checkpoint over and resumes it.
        lease.release()
        let claim = try store.claimWriteCheckpoint(processID: "load", destination: "p.d.t", executionID: "ex-2")
        guard case .resumed(let resumed) = claim else {
            Issue.record("expected a resumed checkpoint, got \(claim)")
            return
        }
        #expect(resumed.stream == "s1" && resumed.nextOffset == 40 && resumed.rowsDone == 42 && resumed.executionID == "ex-2")
        // ex-1 can no longer save or remove it.
        #expect(throws: StoreError.self) {
            try store.save(WriteCheckpoint(processID: "load", destination: "p.d.t", stream: "s1", nextOffset: 50,
                                           rowsDone: 52, executionID: "ex-1"))
        }
        #expect(try !store.removeWriteCheckpoint(processID: "load", destination: "p.d.t", executionID: "ex-1"))
        #expect(try store.removeWriteCheckpoint(processID: "load", destination: "p.d.t", executionID: "ex-2"))
    }
}
