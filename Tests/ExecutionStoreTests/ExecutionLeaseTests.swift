import Foundation
import Testing
@testable import ExecutionStore

@Suite struct ExecutionLeaseTests {
    static func record(_ id: String, parent: String? = nil) -> ExecutionRecord {
        ExecutionRecord(id: id, processID: "p", processName: "P", trigger: parent == nil ? "manual" : "subprocess",
                        startTime: date(1_714_567_890_000), parentExecutionID: parent)
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aHeldLeaseKeepsTheExecutionInProcess() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        let lease = try #require(try store.lease(executionID: "ex-live"))
        try store.insert(Self.record("ex-live"))
        #expect(FileManager.default.fileExists(atPath: lease.path))
        #expect(try store.abortOrphaned().isEmpty)
        #expect(try store.execution(id: "ex-live")?.status == .inProcess)
        lease.release()
        #expect(!FileManager.default.fileExists(atPath: lease.path))
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aFreeLeaseMarksTheExecutionAndItsChildrenAborted() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(Self.record("ex-dead"))
        try store.insert(Self.record("ex-child", parent: "ex-dead"))
        var finished = Self.record("ex-done", parent: "ex-dead")
        try store.insert(finished)
        finished.status = .complete
        try store.update(finished)
        try store.insert(Self.record("ex-nolease"))
        // What a command killed with SIGKILL leaves: the lease file, unlocked.
        let directory = try #require(store.leaseDirectory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "4242\n".write(toFile: directory + "/ex-dead.lock", atomically: true, encoding: .utf8)

        let aborted = try store.abortOrphaned(at: date(1_714_567_900_000))
        #expect(Set(aborted) == ["ex-dead", "ex-child"])
        let dead = try #require(try store.execution(id: "ex-dead"))
        #expect(dead.status == .aborted)
        #expect(dead.endTime == date(1_714_567_900_000))
        #expect(dead.error?.contains("(pid 4242) ended (crash or kill)") == true, "\(dead.error ?? "")")
        #expect(try store.execution(id: "ex-child")?.status == .aborted)
        #expect(try store.execution(id: "ex-done")?.status == .complete)
        // Executions without a lease (a host's, or an older build's) are left to their owner.
        #expect(try store.execution(id: "ex-nolease")?.status == .inProcess)
        #expect(!FileManager.default.fileExists(atPath: directory + "/ex-dead.lock"))
        #expect(try store.abortOrphaned().isEmpty)
    }

    @Test func retriesRoundTrip() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        var execution = Self.record("ex-retries")
        try store.insert(execution)
        #expect(try store.execution(id: "ex-retries")?.retries == 0)
        execution.status = .complete
        execution.retries = 17
        try store.update(execution)
        #expect(try store.execution(id: "ex-retries")?.retries == 17)
    }
}
