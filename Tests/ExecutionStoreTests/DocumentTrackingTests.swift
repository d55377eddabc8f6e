import Foundation
import Testing
import ExecutionStore

@Suite struct DocumentTrackingTests {
    private func execution(_ id: String, startedAt milliseconds: Int64) -> ExecutionRecord {
        ExecutionRecord(id: id, processID: "orders-to-bigquery", processName: "Orders to BigQuery",
                        trigger: "schedule", startTime: date(milliseconds))
    }

    @Test func documentsWithTrackedValuesRoundTripInShapeOrder() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(execution("exec-1", startedAt: 1_000))
        let insert = (0..<3).map { index in
            DocumentRecord(executionID: "exec-1", shapeID: "insert-orders", connectionID: "bigquery-local",
                           operationID: "orders-insert", direction: "input", index: index,
                           status: index == 1 ? .applicationError : .success,
                           error: index == 1 ? "invalid: amount" : nil,
                           trackedValues: [TrackedValue(name: "orderId", value: "order-\(index)"),
                                           TrackedValue(name: "amount", value: "\(index * 10).5")],
                           recordedAt: date(2_000 + Int64(index)))
        }
        let query = DocumentRecord(executionID: "exec-1", shapeID: "query-totals", direction: "output", index: 0,
                                   status: .error, error: "timeout", recordedAt: date(1_500))
        // Recorded out of index order and in two batches; read back grouped by shape, then by index.
        try store.record(documents: [insert[2], insert[0]])
        try store.record(documents: [query, insert[1]])

        let read = try store.documents(executionID: "exec-1")
        #expect(read == [insert[0], insert[1], insert[2], query])
        #expect(read[1].trackedValues.map(\.name) == ["orderId", "amount"])
        #expect(try store.documents(executionID: "other").isEmpty)
    }

    @Test func searchFindsTheMatchingDocumentsNewestExecutionFirst() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(execution("old", startedAt: 1_000))
        try store.insert(execution("new", startedAt: 9_000))
        try store.insert(execution("unrelated", startedAt: 5_000))
        func document(_ executionID: String, _ index: Int, orderID: String) -> DocumentRecord {
            DocumentRecord(executionID: executionID, shapeID: "insert", direction: "input", index: index,
                           trackedValues: [TrackedValue(name: "orderId", value: orderID),
                                           TrackedValue(name: "customer", value: "123")],
                           recordedAt: date(10_000))
        }
        try store.record(documents: [document("old", 0, orderID: "123"), document("old", 1, orderID: "124")])
        try store.record(documents: [document("new", 0, orderID: "125"), document("new", 1, orderID: "123")])
        try store.record(documents: [document("unrelated", 0, orderID: "1234")])

        let matches = try store.searchTracked(field: "orderId", value: "123")
        #expect(matches.map(\.execution.id) == ["new", "old"])
        #expect(matches.map(\.document.index) == [1, 0])
        #expect(matches.allSatisfy { $0.field == "orderId" && $0.value == "123" })
        #expect(matches[0].document.trackedValues.map(\.value) == ["123", "123"])
        #expect(matches[0].execution.startTime == date(9_000))

        #expect(try store.searchTracked(field: "orderId", value: "123", limit: 1).map(\.execution.id) == ["new"])
        #expect(try store.searchTracked(field: "orderId", value: "12").isEmpty)
        #expect(try store.searchTracked(field: "orderID", value: "123").isEmpty)  // names are exact
        #expect(try store.searchTracked(field: "customer", value: "123").count == 5)
    }

    @Test func valuesOverOneThousandCharactersAreCutAndMarked() throws {
        let exact = TrackedValue(name: "note", value: String(repeating: "é", count: 1000))
        #expect(!exact.truncated)
        #expect(exact.value.count == 1000)
        let long = TrackedValue(name: "note", value: String(repeating: "ab", count: 700))
        #expect(long.truncated)
        #expect(long.value == String(repeating: "ab", count: 500))

        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(execution("exec-1", startedAt: 0))
        var sneaky = TrackedValue(name: "raw", value: "x")
        sneaky.value = String(repeating: "x", count: 1500)  // set past the initializer: the store still cuts it
        try store.record(documents: [DocumentRecord(executionID: "exec-1", shapeID: "s", direction: "input",
                                                    index: 0, trackedValues: [exact, long, sneaky],
                                                    recordedAt: date(0))])
        let stored = try #require(try store.documents(executionID: "exec-1").first).trackedValues
        #expect(stored.map(\.truncated) == [false, true, true])
        #expect(stored[1] == long)
        #expect(stored[2].value.count == 1000)
        let found = try store.searchTracked(field: "note", value: String(repeating: "ab", count: 700))
        #expect(found.count == 1)
    }

    @Test func aBatchForAnUnknownExecutionStoresNothing() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(execution("known", startedAt: 0))
        let batch = [
            DocumentRecord(executionID: "known", shapeID: "s", direction: "input", index: 0,
                           trackedValues: [TrackedValue(name: "orderId", value: "1")]),
            DocumentRecord(executionID: "unknown", shapeID: "s", direction: "input", index: 1),
        ]
        let error = try #require(throws: StoreError.self) { try store.record(documents: batch) }
        // SQLITE_CONSTRAINT_FOREIGNKEY, or PostgreSQL foreign_key_violation.
        #expect(TemporaryDatabase.onPostgres ? error.sqlState == "23503" : error.code == 787)
        #expect(try store.documents(executionID: "known").isEmpty)
        #expect(try store.searchTracked(field: "orderId", value: "1").isEmpty)
    }
}
