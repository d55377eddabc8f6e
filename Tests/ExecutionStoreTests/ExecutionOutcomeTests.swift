import Foundation
import Testing
@testable import ExecutionStore

/// Dead-lettered counts and records, counts stored while running, and executions whose command
/// could not record their end or whose lease file vanished.
@Suite struct ExecutionOutcomeTests {
    static func record(_ id: String) -> ExecutionRecord {
        ExecutionRecord(id: id, processID: "p", processName: "P", trigger: "manual", startTime: date(1_714_567_890_000))
    }

    @Test func deadLetteredCountsAndRecordsRoundTrip() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        var execution = Self.record("ex-dlq")
        try store.insert(execution)
        try store.record(documents: [
            DocumentRecord(executionID: "ex-dlq", shapeID: "write", direction: "input", index: 0),
            DocumentRecord(executionID: "ex-dlq", shapeID: "write", direction: "input", index: 1,
                           status: .deadLettered, error: "missing required column id"),
        ])
        execution.status = .completeWarn
        execution.documentsIn = 2
        execution.documentsOut = 2
        execution.documentsDeadLettered = 1
        try store.update(execution)
        let read = try #require(try store.execution(id: "ex-dlq"))
        #expect(read.status == .completeWarn)
        #expect(read.documentsDeadLettered == 1)
        let documents = try store.documents(executionID: "ex-dlq")
        #expect(documents.map(\.status) == [.success, .deadLettered])
        #expect(documents[1].error == "missing required column id")
    }

    @Test func progressIsStoredOnlyWhileTheExecutionRuns() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        var execution = Self.record("ex-run")
        try store.insert(execution)
        execution.documentsIn = 5_000
        execution.documentsOut = 4_000
        execution.shapeCounts = [ShapeCount(shapeID: "write", documentsIn: 5_000, documentsOut: 4_000)]
        try store.updateProgress(execution)
        #expect(try store.execution(id: "ex-run")?.documentsIn == 5_000)
        #expect(try store.abortInProcess(ids: ["ex-run"], message: "aborted: test") == ["ex-run"])
        let aborted = try #require(try store.execution(id: "ex-run"))
        #expect(aborted.status == .aborted)
        #expect(aborted.documentsIn == 5_000 && aborted.documentsOut == 4_000, "ABORTED keeps the counts")
        #expect(aborted.shapeCounts.first?.documentsOut == 4_000)
        execution.documentsIn = 9
        try store.updateProgress(execution)
        #expect(try store.execution(id: "ex-run")?.documentsIn == 5_000, "a finished execution keeps its counts")
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func anAbandonedLeaseMarksTheExecutionErrorWithItsNote() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        let lease = try #require(try store.lease(executionID: "ex-full"))
        try store.insert(Self.record("ex-full"))
        lease.abandon(note: "could not record the end of the execution: database or disk is full (SQLITE_FULL)")
        #expect(FileManager.default.fileExists(atPath: lease.path), "the file stays for the next command")
        // A free lease without a note is left to the full pass.
        try store.insert(Self.record("ex-killed"))
        let directory = try #require(store.leaseDirectory)
        try "4242\n".write(toFile: directory + "/ex-killed.lock", atomically: true, encoding: .utf8)
        #expect(try store.abortOrphaned(notedOnly: true) == ["ex-full"])
        #expect(try store.execution(id: "ex-killed")?.status == .inProcess)
        #expect(FileManager.default.fileExists(atPath: directory + "/ex-killed.lock"))
        let marked = try #require(try store.execution(id: "ex-full"))
        #expect(marked.status == .error)
        #expect(marked.error == "could not record the end of the execution: database or disk is full (SQLITE_FULL)")
        #expect(!FileManager.default.fileExists(atPath: lease.path))
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func withoutALeaseFileTheOwnerDecides() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        let me = try #require(ExecutionOwner.current)
        try store.insert(Self.record("ex-alive"), owner: me)
        // A pid that runs no process (pids stop well below 2^22 on Linux).
        try store.insert(Self.record("ex-gone"), owner: ExecutionOwner(host: me.host, boot: me.boot, pid: 4_194_999, start: "1"))
        try store.insert(Self.record("ex-elsewhere"),
                         owner: ExecutionOwner(host: me.host + "-other", boot: me.boot, pid: 4_194_999, start: "1"))
        try store.insert(Self.record("ex-unowned"))
        #expect(try store.abortOrphaned() == ["ex-gone"])
        let gone = try #require(try store.execution(id: "ex-gone"))
        #expect(gone.status == .aborted)
        #expect(gone.error?.contains("pid 4194999") == true)
        #expect(gone.error?.contains("lock file") == true)
        for id in ["ex-alive", "ex-elsewhere", "ex-unowned"] {
            #expect(try store.execution(id: id)?.status == .inProcess, "\(id)")
        }
        #expect(ExecutionOwner(text: me.text) == me)
        #expect(!me.isGone)
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aVersionSixStoreGainsTheNewColumns() throws {
        let database = try TemporaryDatabase()
        try database.createOldStore(version: 6, rows: """
            INSERT INTO executions (id, process_id, process_name, trigger, status, start_time, documents_in)
                VALUES ('old', 'p', 'P', 'manual', 'COMPLETE', '2024-05-01T12:00:00.000Z', 3);
            """)
        let store = try ExecutionStore(path: database.path)
        let old = try #require(try store.execution(id: "old"))
        #expect(old.documentsIn == 3)
        #expect(old.documentsDeadLettered == 0)
    }
}
