import Foundation
import Testing

/// The storage-write sink options through `conveyor run` against the emulator: routing, column
/// filtering and casts, REQUIRED, dead-letter queues, ifExists and unique-key MERGE.
@Suite("storage-write sink end to end", .serialized)
struct StorageSinkEndToEndTests {
    static var table: String { Harness.packageRoot + "/Tests/EndToEndTests/Fixtures/storage-sink-table.json" }

    /// A workspace reading `in/*.jsonl`, setting the document property `table` from `/kind`, and
    /// writing through storage-write with `options` added to the operation.
    static func workspace(dataset: String, tableID: String = "{table}", options: String) throws -> String {
        let files: [String: String] = [
            "processes/load.xml": """
                <process id="load" name="Load rows">
                  <shapes>
                    <start id="start" next="route"><connector connection="inbox" operation="read"/></start>
                    <setProperties id="route" next="write">
                      <property scope="document" name="table"><value source="profile" path="/kind"/></property>
                    </setProperties>
                    <connector id="write" connection="bq" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "connectors/bq.xml": """
                <connection id="bq" type="google-bigquery">
                  <projectId>demo</projectId>
                  <auth grant="none"/>
                  <retry maxAttempts="3" initialBackoff="100ms" maxBackoff="1s"/>
                </connection>
                """,
            "connectors/write.xml": """
                <operation id="write" type="google-bigquery" action="streaming-insert">
                  <datasetId>\(dataset)</datasetId>
                  <tableId>\(tableID)</tableId>
                  <api>storage-write</api>
                  \(options)
                </operation>
                """,
        ]
        let root = try Harness.workspace("sink", files: files.merging(Harness.jsonLinesInbox) { $1 })
        let validate = try Harness.conveyor(["validate", "--workspace", root])
        #expect(validate.status == 0, "validate: \(validate.stdout) \(validate.stderr)")
        return root
    }

    static func run(_ workspace: String, rows: String) throws -> (Harness.Output, [String: Any]) {
        try rows.write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let run = try Harness.conveyor(["run", "load", "--workspace", workspace, "--json"])
        try? FileManager.default.removeItem(atPath: workspace + "/in/rows.jsonl")
        let execution = (try? Harness.json(run.stdout) as? [String: Any]) ?? [:]
        return (run, execution)
    }

    static func count(_ table: String, in workspace: String) throws -> String {
        try Harness.bq(["count", table], in: workspace).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("rows are routed per document, extras dropped, values cast; a bad row goes to the dead-letter file")
    func routingCastsAndDeadLetterFile() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try Self.workspace(dataset: dataset, options: """
            <overwriteTypes><column name="_created_at" type="TIMESTAMP"/></overwriteTypes>
            <deadLetter destination="file" path="dlq/rows.jsonl"/>
            """)
        _ = try Harness.bq(["create-table", "\(dataset).ta", Self.table], in: workspace)
        _ = try Harness.bq(["create-table", "\(dataset).tb", Self.table], in: workspace)
        let (run, execution) = try Self.run(workspace, rows: """
            {"kind": "ta", "id": "1", "name": "one", "amount": "2.5", "_created_at": 1709283600123}
            {"kind": "tb", "id": 2, "name": "two", "extra": {"x": 1}, "_created_at": "2024-03-01T10:00:00+01:00"}
            {"kind": "ta", "id": 3, "amount": 7}
            {"kind": "tb", "name": "no id"}
            """)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 4)
        let a = try Harness.jsonLines(try Harness.bq(["list-rows", "\(dataset).ta", "id"], in: workspace))
        try #require(a.count == 2)
        #expect(a[0]["id"] as? Int == 1)
        #expect(a[0]["amount"] as? Double == 2.5)
        #expect((a[0]["_created_at"] as? String)?.hasPrefix("2024-03-01T09:00:00.123") == true)
        let b = try Harness.jsonLines(try Harness.bq(["list-rows", "\(dataset).tb", "id"], in: workspace))
        try #require(b.count == 1)
        #expect(b[0]["name"] as? String == "two")
        #expect((b[0]["_created_at"] as? String)?.hasPrefix("2024-03-01T09:00:00") == true)

        let dlq = try String(contentsOfFile: workspace + "/dlq/rows.jsonl", encoding: .utf8)
        let records = try Harness.jsonLines(dlq)
        try #require(records.count == 1)
        #expect((records[0]["original_record"] as? [String: Any])?["name"] as? String == "no id")
        #expect((records[0]["failure_reason"] as? String)?.contains("column id") == true)
        #expect(records[0]["connector_type"] as? String == "google-bigquery/storage-write")
        #expect(records[0]["failure_timestamp"] is String)
        #expect((records[0]["row_errors"] as? [Any])?.count == 1)
    }

    @Test("unknownColumns error fails the row into a _dlq table created on the way")
    func unknownColumnsIntoDeadLetterTable() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try Self.workspace(dataset: dataset, options: """
            <unknownColumns>error</unknownColumns>
            <deadLetter destination="table" tableSuffix="_dlq"/>
            """)
        _ = try Harness.bq(["create-table", "\(dataset).orders", Self.table], in: workspace)
        let (run, execution) = try Self.run(workspace, rows: """
            {"kind": "orders", "id": 1}
            {"kind": "orders", "id": 2, "colour": "red"}
            """)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 2)
        #expect(try Self.count("\(dataset).orders", in: workspace) == "1")
        let dead = try Harness.jsonLines(try Harness.bq(["list-rows", "\(dataset).orders_dlq"], in: workspace))
        try #require(dead.count == 1)
        #expect((dead[0]["failure_reason"] as? String)?.contains("column colour") == true)
        #expect((dead[0]["original_record"] as? String)?.contains("red") == true)
    }

    @Test("a disabled dead-letter queue leaves failed rows failing the execution")
    func disabledDeadLetterFails() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try Self.workspace(dataset: dataset, options: #"<deadLetter path="dlq/x.jsonl" enabled="false"/>"#)
        _ = try Harness.bq(["create-table", "\(dataset).orders", Self.table], in: workspace)
        let (run, execution) = try Self.run(workspace, rows: #"{"kind": "orders", "name": "no id"}"#)
        #expect(run.status == 1)
        #expect(execution["documentsError"] as? Int == 1)
        #expect(!FileManager.default.fileExists(atPath: workspace + "/dlq/x.jsonl"))
    }

    @Test("ifExists replace empties the table first; fail refuses a table with rows")
    func ifExistsReplaceAndFail() throws {
        let dataset = Harness.uniqueDataset()
        let replace = try Self.workspace(dataset: dataset, options: "<ifExists>replace</ifExists>")
        _ = try Harness.bq(["create-table", "\(dataset).orders", Self.table], in: replace)
        try #"{"id": 100}"# .write(toFile: replace + "/old.jsonl", atomically: true, encoding: .utf8)
        _ = try Harness.bq(["insert", "\(dataset).orders", replace + "/old.jsonl"], in: replace)
        let (run, _) = try Self.run(replace, rows: "{\"kind\": \"orders\", \"id\": 1}\n{\"kind\": \"orders\", \"id\": 2}")
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        let ids = try Harness.jsonLines(try Harness.bq(["list-rows", "\(dataset).orders", "id"], in: replace)).compactMap { $0["id"] as? Int }
        #expect(ids == [1, 2])

        let fail = try Self.workspace(dataset: dataset, options: "<ifExists>fail</ifExists>")
        let (refused, execution) = try Self.run(fail, rows: #"{"kind": "orders", "id": 3}"#)
        #expect(refused.status == 1)
        #expect(execution["documentsError"] as? Int == 1)
        let messages = ((execution["documents"] as? [[String: Any]]) ?? []).compactMap { $0["error"] as? String }
        #expect(messages.contains { $0.contains("already holds 2 row(s) and ifExists is fail") }, "\(messages)")
        #expect(try Self.count("\(dataset).orders", in: fail) == "2")
    }

    @Test("uniqueConstraints UPDATE merges on the key; IGNORE inserts only new keys")
    func uniqueConstraintsMerge() throws {
        let dataset = Harness.uniqueDataset()
        let update = try Self.workspace(dataset: dataset, options: #"<uniqueConstraints conflict="UPDATE">id</uniqueConstraints>"#)
        _ = try Harness.bq(["create-table", "\(dataset).orders", Self.table], in: update)
        try #"{"id": 1, "name": "old"}"# .write(toFile: update + "/old.jsonl", atomically: true, encoding: .utf8)
        _ = try Harness.bq(["insert", "\(dataset).orders", update + "/old.jsonl"], in: update)
        let (run, _) = try Self.run(update, rows: """
            {"kind": "orders", "id": 1, "name": "new"}
            {"kind": "orders", "id": 2, "name": "two"}
            {"kind": "orders", "id": 2, "name": "two, last"}
            """)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        var rows = try Harness.jsonLines(try Harness.bq(["list-rows", "\(dataset).orders", "id"], in: update))
        #expect(rows.map { $0["name"] as? String } == ["new", "two, last"])

        let ignore = try Self.workspace(dataset: dataset, options: #"<uniqueConstraints conflict="IGNORE">id</uniqueConstraints>"#)
        let (second, _) = try Self.run(ignore, rows: """
            {"kind": "orders", "id": 1, "name": "ignored"}
            {"kind": "orders", "id": 3, "name": "three"}
            """)
        #expect(second.status == 0, "stderr: \(second.stderr)\nstdout: \(second.stdout)")
        rows = try Harness.jsonLines(try Harness.bq(["list-rows", "\(dataset).orders", "id"], in: ignore))
        #expect(rows.map { $0["name"] as? String } == ["new", "two, last", "three"])
    }

    @Test("uniqueConstraints: a MERGE leaves the columns no row of the batch carries as they are")
    func mergeLeavesColumnsNoRowCarries() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try Self.workspace(dataset: dataset, options: #"<uniqueConstraints conflict="UPDATE">id</uniqueConstraints>"#)
        _ = try Harness.bq(["create-table", "\(dataset).orders", Self.table], in: workspace)
        try #"{"id": 1, "name": "old", "amount": 9.5, "_created_at": "2024-03-01T09:00:00Z"}"#
            .write(toFile: workspace + "/old.jsonl", atomically: true, encoding: .utf8)
        _ = try Harness.bq(["insert", "\(dataset).orders", workspace + "/old.jsonl"], in: workspace)
        // No row carries amount or _created_at; one row carries name as null (set to NULL).
        let (run, _) = try Self.run(workspace, rows: """
            {"kind": "orders", "id": 1, "name": "new"}
            {"kind": "orders", "id": 2, "name": null}
            """)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        let rows = try Harness.jsonLines(try Harness.bq(["list-rows", "\(dataset).orders", "id"], in: workspace))
        try #require(rows.count == 2, "\(rows)")
        #expect(rows[0]["name"] as? String == "new")
        #expect(rows[0]["amount"] as? Double == 9.5, "amount kept: \(rows[0])")
        #expect(rows[0]["_created_at"] != nil && !(rows[0]["_created_at"] is NSNull), "_created_at kept: \(rows[0])")
        #expect(rows[1]["amount"] == nil || rows[1]["amount"] is NSNull, "\(rows[1])")
    }
}
