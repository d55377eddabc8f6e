import Foundation
import Testing
@testable import ExecutionStore

/// The grouped counts of the Process Reporting pages, on SQLite and PostgreSQL.
@Suite struct ReportingCountTests {
    @Test("executions are counted by process and status in one query")
    func executionStatusCounts() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("ex-1", process: "orders", startedAt: 1_000)
        try fixture.addExecution("ex-2", process: "orders", startedAt: 2_000, status: .error)
        try fixture.addExecution("ex-3", process: "orders", startedAt: 3_000)
        try fixture.addExecution("ex-4", process: "billing", startedAt: 4_000, documents: 0, status: .completeWarn)
        let counts = try fixture.store.executionStatusCounts()
        #expect(counts == ["orders": [.complete: 2, .error: 1], "billing": [.completeWarn: 1]])
    }

    @Test("dead-lettered documents are counted by shape; indexes with contents are listed once each")
    func deadLetteredAndContentIndexes() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("ex-1", startedAt: 1_000, documents: 0)
        let store = fixture.store
        let at = date(1_714_000_000_000)
        try store.record(documents: [
            DocumentRecord(executionID: "ex-1", shapeID: "a", direction: "input", index: 0, recordedAt: at),
            DocumentRecord(executionID: "ex-1", shapeID: "a", direction: "input", index: 1, recordedAt: at),
            DocumentRecord(executionID: "ex-1", shapeID: "a", direction: "input", index: 2, status: .deadLettered,
                           error: "full", recordedAt: at),
            DocumentRecord(executionID: "ex-1", shapeID: "b", direction: "input", index: 3, status: .deadLettered,
                           error: "full", recordedAt: at),
            DocumentRecord(executionID: "ex-1", shapeID: "b", direction: "input", index: 4, status: .deadLettered,
                           error: "full", recordedAt: at),
            DocumentRecord(executionID: "ex-1", shapeID: "b", direction: "input", index: 5, status: .error,
                           error: "bad", recordedAt: at),
        ])
        #expect(try store.deadLetteredCounts(executionID: "ex-1") == ["a": 1, "b": 2])
        #expect(try store.deadLetteredCounts(executionID: "nope").isEmpty)
        try store.record(contents: [
            DocumentContentTests.content("ex-1", index: 2, bytes: "x"),
            DocumentContentTests.content("ex-1", index: 5, direction: "input", bytes: "y"),
            DocumentContentTests.content("ex-1", index: 5, direction: "output", status: .success, bytes: "z"),
        ])
        #expect(try store.documentContentIndexes(executionID: "ex-1") == [2, 5])
        #expect(try store.documentContentIndexes(executionID: "nope").isEmpty)
    }
}
