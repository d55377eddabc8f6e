import Foundation
import Testing
@testable import ExecutionStore

@Suite struct MigrationTests {
    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aVersionTwoStoreUpgradesInPlaceKeepingItsRows() throws {
        let database = try TemporaryDatabase()
        try database.createOldStore(version: 2, rows: """
            INSERT INTO executions (id, process_id, process_name, trigger, status, start_time)
                VALUES ('old', 'p', 'P', 'manual', 'COMPLETE', '2024-05-01T12:00:00.000Z');
            INSERT INTO documents (execution_id, shape_id, direction, doc_index, status, recorded_at)
                VALUES ('old', 'send', 'input', 0, 'success', '2024-05-01T12:00:01.000Z'),
                       ('old', 'send', 'input', 1, 'success', '2024-05-01T12:00:01.000Z');
            """)
        let store = try ExecutionStore(path: database.path)
        let old = try #require(try store.execution(id: "old"))
        #expect(old.parentExecutionID == nil)
        #expect(try store.documents(executionID: "old").map(\.index) == [0, 1])
        #expect(try store.documentCount(executionID: "old") == 2)

        try store.insert(ExecutionRecord(id: "child", processID: "q", processName: "Q", trigger: "subprocess",
                                         startTime: date(1_000), parentExecutionID: "old"))
        #expect(try store.childExecutions(of: "old").map(\.id) == ["child"])
        let raw = try SQLiteConnection(path: database.path, busyTimeoutMilliseconds: 1000)
        var version = 0
        try raw.query("PRAGMA user_version", operation: "inspect") { version = $0.int(0) }
        #expect(version == Schema.currentVersion)
    }

    @Test func childExecutionsNameTheirParentAndAreListedOldestFirst() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(ExecutionRecord(id: "parent", processID: "p", processName: "P", trigger: "manual",
                                         startTime: date(1_000)))
        for (id, start) in [("child-b", Int64(3_000)), ("child-a", 2_000)] {
            try store.insert(ExecutionRecord(id: id, processID: "c", processName: "C", trigger: "subprocess",
                                             startTime: date(start), parentExecutionID: "parent"))
        }
        #expect(try store.childExecutions(of: "parent").map(\.id) == ["child-a", "child-b"])
        #expect(try store.childExecutions(of: "child-a").isEmpty)
        var child = try #require(try store.execution(id: "child-b"))
        #expect(child.parentExecutionID == "parent")
        child.status = .complete
        try store.update(child)
        #expect(try store.execution(id: "child-b")?.parentExecutionID == "parent")
        #expect(try store.execution(id: "parent")?.parentExecutionID == nil)
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aVersionEightStoreGainsErrorCodesWithOlderDocumentsWithoutOne() throws {
        let database = try TemporaryDatabase()
        try database.createOldStore(version: 8, rows: """
            INSERT INTO executions (id, process_id, process_name, trigger, status, start_time)
                VALUES ('old', 'p', 'P', 'manual', 'ERROR', '2024-05-01T12:00:00.000Z');
            INSERT INTO documents (execution_id, shape_id, direction, doc_index, status, error, recorded_at)
                VALUES ('old', 'send', 'input', 0, 'error', 'refused', '2024-05-01T12:00:01.000Z');
            """)
        let store = try ExecutionStore(path: database.path)
        let old = try store.documents(executionID: "old")
        #expect(old.map(\.error) == ["refused"] && old.map(\.errorCode) == [nil])

        try store.insert(ExecutionRecord(id: "new", processID: "p", processName: "P", trigger: "manual",
                                         startTime: date(1_000)))
        try store.record(documents: [
            DocumentRecord(executionID: "new", shapeID: "send", direction: "input", index: 0, status: .error,
                           error: "map failed", errorCode: "mapping"),
            DocumentRecord(executionID: "new", shapeID: "send", direction: "input", index: 1),
        ])
        #expect(try store.documents(executionID: "new").map(\.errorCode) == ["mapping", nil])
        #expect(try store.failedDocuments(executionID: "new", limit: 10).map(\.errorCode) == ["mapping"])
    }
}
