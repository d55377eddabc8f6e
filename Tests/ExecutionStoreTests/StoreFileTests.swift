import Foundation
import Testing
@testable import ExecutionStore

@Suite struct StoreFileTests {
    @Test func reopeningAFileKeepsItsData() throws {
        let database = try TemporaryDatabase()
        let execution = ExecutionRecord(id: "exec-keep", processID: "p", processName: "P", trigger: "manual",
                                        status: .completeWarn, startTime: date(42_000), endTime: date(43_000),
                                        userLog: ["warning: slow"])
        let document = DocumentRecord(executionID: "exec-keep", shapeID: "s", direction: "output", index: 0,
                                      trackedValues: [TrackedValue(name: "orderId", value: "9")],
                                      recordedAt: date(42_500))
        do {
            let store = try ExecutionStore(path: database.path)
            try store.insert(execution)
            try store.record(documents: [document])
        }
        for _ in 0..<2 {
            let reopened = try ExecutionStore(path: database.path)
            #expect(try reopened.execution(id: "exec-keep") == execution)
            #expect(try reopened.documents(executionID: "exec-keep") == [document])
            #expect(try reopened.searchTracked(field: "orderId", value: "9").count == 1)
        }
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aFileThatIsNotADatabaseGivesAnErrorNamingPathAndCode() throws {
        let database = try TemporaryDatabase()
        let path = database.directory.appendingPathComponent("notes.sqlite").path
        let garbage = String(repeating: "this is not an SQLite database, just text. ", count: 200)
        try Data(garbage.utf8).write(to: URL(fileURLWithPath: path))

        let error = try #require(throws: StoreError.self) { try ExecutionStore(path: path) }
        #expect(error.code == 26)  // SQLITE_NOTADB
        #expect(error.path == path)
        #expect(error.description.contains(path))
        #expect(error.description.contains("SQLite code 26 SQLITE_NOTADB"))
        #expect(error.description.contains("open database"))
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aDirectoryInTheWayGivesAnError() throws {
        let database = try TemporaryDatabase()
        let blocker = database.directory.appendingPathComponent("blocker")
        try Data("file".utf8).write(to: blocker)
        let path = blocker.appendingPathComponent("executions.sqlite").path
        let error = try #require(throws: StoreError.self) { try ExecutionStore(path: path) }
        #expect(error.description.contains("create directory"))
        #expect(error.path == path)
    }

    @Test func errorDescriptionsAreStable() {
        let sqlite = StoreError(operation: "insert execution abc", code: 5, message: "database is locked",
                                path: "var/executions.sqlite")
        #expect(sqlite.description
                == "execution store var/executions.sqlite: insert execution abc failed: database is locked "
                + "(SQLite code 5 SQLITE_BUSY)")
        let own = StoreError(operation: "look up execution 12345678", message: "ambiguous", path: "db")
        #expect(own.description == "execution store db: look up execution 12345678 failed: ambiguous")
    }

    @Test func storedColumnsAreReadableText() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(ExecutionRecord(id: "e1", processID: "p", processName: "P", trigger: "manual",
                                         startTime: date(1_714_567_890_123),
                                         shapeCounts: [ShapeCount(shapeID: "start", documentsIn: 1)]))
        let raw = try openRaw(database.path)
        var row: [String] = []
        try raw.query("SELECT start_time, status, shape_counts FROM executions", operation: "inspect") {
            row = [$0.text(0) ?? "", $0.text(1) ?? "", $0.text(2) ?? ""]
        }
        #expect(row == ["2024-05-01T12:51:30.123Z", "INPROCESS",
                        #"[{"documentsError":0,"documentsIn":1,"documentsOut":0,"shapeID":"start"}]"#])
        var version = 0
        if TemporaryDatabase.onPostgres {
            try raw.query("SELECT version FROM conveyor_schema", operation: "inspect") { version = $0.int(0) }
            #expect(version == PostgresSchema.currentVersion)
        } else {
            try raw.query("PRAGMA user_version", operation: "inspect") { version = $0.int(0) }
            #expect(version == Schema.currentVersion)
        }
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func aDatabaseFromANewerBuildIsRefused() throws {
        let database = try TemporaryDatabase()
        _ = try ExecutionStore(path: database.path)
        let raw = try openRaw(database.path)
        try raw.executeScript("PRAGMA user_version = 99", operation: "downgrade test")
        let error = try #require(throws: StoreError.self) { try ExecutionStore(path: database.path) }
        #expect(error.description.contains("schema version 99"))
        #expect(error.path == database.path)
    }
}
