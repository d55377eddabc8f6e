import Foundation
import Testing
import ExecutionStore

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

    @Test func aFileThatIsNotADatabaseGivesAnErrorNamingPathAndCode() throws {
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

    @Test func aDirectoryInTheWayGivesAnError() throws {
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
}
