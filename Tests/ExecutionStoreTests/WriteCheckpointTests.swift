import Foundation
import Testing
import ExecutionStore

@Suite struct WriteCheckpointTests {
    @Test func checkpointsAreSavedReplacedReadFromAnotherConnectionAndRemoved() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        #expect(try store.writeCheckpoint(processID: "load", destination: "p.d.t") == nil)
        var checkpoint = WriteCheckpoint(processID: "load", destination: "p.d.t", stream: "projects/p/streams/s1",
                                         nextOffset: 100, rowsDone: 120, executionID: "ex-1", updatedAt: date(5_000))
        try store.save(checkpoint)
        checkpoint.nextOffset = 250
        checkpoint.rowsDone = 270
        checkpoint.executionID = "ex-2"
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
}
