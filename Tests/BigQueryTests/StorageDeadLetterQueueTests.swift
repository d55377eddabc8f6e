@testable import BigQuery
import DocumentMapping
import Foundation
import Testing

@Suite struct StorageDeadLetterQueueTests {
    static let rest = BigQueryREST(http: RecordingClient(), rootURL: "http://bq.test")
    static let orders = TableReference(project: "p", dataset: "sales", table: "orders")

    @Test func fileRecordsCarryTheRowTheReasonAndTheTime() async throws {
        let root = NSTemporaryDirectory() + "dlq-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let queue = StorageDeadLetterQueue(setting: .file(path: "dlq/orders.jsonl"), workspaceRoot: root, rest: Self.rest)
        let record = StorageDeadLetterQueue.Record(original: try JSONParser.parse(#"{"id": "x"}"#),
                                                   reason: "column id: \"x\" is not a valid INT64",
                                                   rowErrors: ["column id: \"x\" is not a valid INT64"])
        try await queue.write([record], destination: Self.orders, at: Date(timeIntervalSince1970: 1_709_283_600))
        try await queue.write([record], destination: Self.orders, at: Date(timeIntervalSince1970: 1_709_283_601))
        let lines = try String(contentsOfFile: root + "/dlq/orders.jsonl", encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 2)
        let first = try JSONParser.parse(String(lines[0]))
        #expect(first[key: "original_record"]?[key: "id"]?.stringValue == "x")
        #expect(first[key: "failure_reason"]?.stringValue == "column id: \"x\" is not a valid INT64")
        #expect(first[key: "failure_timestamp"]?.stringValue == "2024-03-01T09:00:00.000000Z")
        #expect(first[key: "connector_type"]?.stringValue == "google-bigquery/storage-write")
        #expect(first[key: "row_errors"]?.arrayValue?.count == 1)
    }

    @Test func filesStayInsideTheWorkspace() throws {
        let queue = StorageDeadLetterQueue(setting: .file(path: "a/../../x.jsonl"), workspaceRoot: "/ws", rest: Self.rest)
        #expect(throws: (any Error).self) { try queue.filePath("a/../../x.jsonl") }
        #expect(try queue.filePath("dlq/./x.jsonl") == "/ws/dlq/x.jsonl")
        // A static absolute path is the integrator's choice.
        #expect(try queue.filePath("/var/log/conveyor/dlq.jsonl") == "/var/log/conveyor/dlq.jsonl")
    }

    @Test func tablesAreNamedBySuffixOrInFull() {
        let suffix = StorageDeadLetterQueue(setting: .tableSuffix("_dlq"), workspaceRoot: "/ws", rest: Self.rest)
        #expect(suffix.table(for: Self.orders) == TableReference(project: "p", dataset: "sales", table: "orders_dlq"))
        let full = StorageDeadLetterQueue(setting: .table("q.errors.all"), workspaceRoot: "/ws", rest: Self.rest)
        #expect(full.table(for: Self.orders) == TableReference(project: "q", dataset: "errors", table: "all"))
        let short = StorageDeadLetterQueue(setting: .table("errors.all"), workspaceRoot: "/ws", rest: Self.rest)
        #expect(short.table(for: Self.orders) == TableReference(project: "p", dataset: "errors", table: "all"))
        #expect(StorageDeadLetterQueue(setting: .disabled, workspaceRoot: "/ws", rest: Self.rest).isEnabled == false)
    }

    @Test func tableRecordsHoldJSONText() throws {
        let record = StorageDeadLetterQueue.Record(original: try JSONParser.parse(#"{"a": [1]}"#), reason: "r", rowErrors: ["e1", "e2"])
        let row = StorageDeadLetterQueue.tableRecord(record, timestamp: "2024-03-01T09:00:00.000000Z")
        #expect(row[key: "original_record"]?.stringValue == #"{"a":[1]}"#)
        #expect(row[key: "row_errors"]?.stringValue == #"["e1","e2"]"#)
    }
}
