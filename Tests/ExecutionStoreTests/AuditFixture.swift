import Foundation
@testable import ExecutionStore

/// Fills a store with finished executions whose documents carry tracked values, and edits the
/// database behind the store's back the way someone with file access could.
struct AuditFixture {
    let store: ExecutionStore
    let path: String

    init(path: String, key: String? = nil) throws {
        self.path = path
        store = try ExecutionStore(path: path, auditKey: key.flatMap(AuditKey.init(secret:)))
    }

    /// Inserts an execution that ended in ERROR: one document with tracked values, one failed
    /// document with an error message, a user log, per-shape counts and an error.
    func addFailedExecution(_ id: String, startedAt: Int64) throws {
        var execution = ExecutionRecord(id: id, processID: "orders", processName: "Orders", trigger: "listener",
                                        startTime: date(startedAt))
        try store.insert(execution)
        try store.record(documents: [
            DocumentRecord(executionID: id, shapeID: "insert", direction: "input", index: 0,
                           trackedValues: [TrackedValue(name: "orderId", value: "\(id)-0")], recordedAt: date(startedAt + 5)),
            DocumentRecord(executionID: id, shapeID: "insert", direction: "input", index: 1, status: .error,
                           error: "row 2: 'soon' is not a date", recordedAt: date(startedAt + 5)),
            DocumentRecord(executionID: id, shapeID: "insert", direction: "input", index: 2, recordedAt: date(startedAt + 5)),
        ])
        execution.status = .error
        execution.endTime = date(startedAt + 20)
        execution.documentsIn = 3
        execution.documentsOut = 2
        execution.documentsError = 1
        execution.error = "1 document failed"
        execution.shapeCounts = [ShapeCount(shapeID: "insert", documentsIn: 3, documentsOut: 2, documentsError: 1)]
        execution.userLog = ["loaded 3 rows", "1 row failed"]
        try store.update(execution)
    }

    /// Inserts a finished execution started at `startedAt` (ms) with `documents` documents of two tracked fields.
    func addExecution(_ id: String, process: String = "orders", startedAt: Int64, documents: Int = 3,
                      status: ExecutionStatus = .complete) throws {
        var execution = ExecutionRecord(id: id, processID: process, processName: "Orders", trigger: "schedule",
                                        startTime: date(startedAt))
        try store.insert(execution)
        try store.record(documents: (0..<documents).map { index in
            DocumentRecord(executionID: id, shapeID: "insert", connectionID: "bq", operationID: "insert-orders",
                           direction: "input", index: index,
                           trackedValues: [TrackedValue(name: "orderId", value: "\(id)-order-\(index)"),
                                           TrackedValue(name: "customer", value: "c\(index)")],
                           recordedAt: date(startedAt + 10))
        })
        execution.status = status
        try store.update(execution)
    }

    /// Runs SQL on a connection of its own, as the `sqlite3` or `psql` tool would. (PostgreSQL
    /// always enforces foreign keys and writes a blob literal as `'\x…'`.)
    func tamper(_ sql: String) throws {
        let connection = try openRaw(path)
        var script = sql
        if TemporaryDatabase.onPostgres {
            script = script.replacingOccurrences(of: "PRAGMA foreign_keys = ON;", with: "")
                .replacingOccurrences(of: #"X'([0-9a-fA-F]*)'"#, with: #"'\\x$1'::bytea"#, options: .regularExpression)
        }
        try connection.executeScript(script, operation: "tamper")
    }

    /// The number of tracked-value rows in the file.
    func trackedRows() throws -> Int {
        let connection = try openRaw(path)
        var count = 0
        try connection.query("SELECT COUNT(*) FROM tracked_values", operation: "count") { count = $0.int(0) }
        return count
    }
}
