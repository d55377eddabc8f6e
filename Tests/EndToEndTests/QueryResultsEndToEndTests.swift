import Foundation
import Testing

/// get-query-results and update through `conveyor run` against the emulator, checked with the
/// official google-cloud-bigquery client.
@Suite("get-query-results and update end to end")
struct QueryResultsEndToEndTests {
    static let schema = """
        [{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "price", "type": "FLOAT"},
         {"name": "amount", "type": "NUMERIC"}, {"name": "ok", "type": "BOOLEAN"}, {"name": "name", "type": "STRING"},
         {"name": "raw", "type": "BYTES"}, {"name": "day", "type": "DATE"}, {"name": "at", "type": "DATETIME"},
         {"name": "clock", "type": "TIME"}, {"name": "ts", "type": "TIMESTAMP"}, {"name": "doc", "type": "JSON"},
         {"name": "tags", "type": "STRING", "mode": "REPEATED"},
         {"name": "address", "type": "RECORD", "fields": [{"name": "street", "type": "STRING"},
           {"name": "geo", "type": "RECORD", "fields": [{"name": "lat", "type": "FLOAT"}]}]},
         {"name": "lines", "type": "RECORD", "mode": "REPEATED", "fields": [
           {"name": "sku", "type": "STRING"}, {"name": "qty", "type": "INTEGER"}]}]
        """

    static let rows = #"""
        {"id": 9007199254740993, "price": 59.97, "amount": "123456789.123456789", "ok": true, "name": "Ada \"Countess\" Lovelace", "raw": "3q2+7w==", "day": "2026-11-20", "at": "2026-11-20T09:15:00.250000", "clock": "09:15:00.500000", "ts": "2026-11-20T09:15:00.123456Z", "doc": "{\"a\":[1,2.5,null],\"b\":{\"c\":true}}", "tags": ["x", "y"], "address": {"street": "1 Main St", "geo": {"lat": 51.5}}, "lines": [{"sku": "BK-001", "qty": 2}, {"sku": "MS-220", "qty": -1}]}
        {"id": 2, "price": null, "ok": false, "ts": "2026-11-20T10:00:00Z", "tags": [], "lines": []}
        {"id": -3, "price": -0.5, "amount": "0", "name": "", "day": "0001-01-01", "ts": "1969-12-31T23:59:59.999999Z", "doc": "\"text\"", "tags": [""], "address": {"street": null, "geo": null}}
        """#

    /// A value as sorted-key JSON text, so rows from both readers compare field by field.
    static func canonical(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "null" }
        guard let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }

    @Test("every typed value read through get-query-results equals what the official client reads")
    func typedRowsMatchOfficialClient() throws {
        let workspace = try BigQueryWorkspace()
        let dataset = Harness.uniqueDataset()
        try workspace.write("schema.json", Self.schema)
        try workspace.write("rows.jsonl", Self.rows)
        _ = try Harness.bq(["create-table", "\(dataset).typed", "schema.json"], in: workspace.root)
        _ = try Harness.bq(["insert", "\(dataset).typed", "rows.jsonl"], in: workspace.root)
        let sql = "SELECT * FROM `demo.\(dataset).typed` ORDER BY id"
        let jobID = try Harness.bq(["query-job", sql], in: workspace.root).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(!jobID.isEmpty)
        try workspace.addProcess("read-results", action: "get-query-results",
                                 settings: "<maxResults>2</maxResults><timeout>30s</timeout>")

        let run = try workspace.run("read-results", input: #"{"jobId": "\#(jobID)", "location": "US"}"#)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.execution["status"] as? String == "COMPLETE")
        let ours = try workspace.results()
        let theirs = try Harness.jsonLines(try Harness.bq(["query-rows", sql], in: workspace.root))
        try #require(ours.count == 3, "rows: \(ours)")
        try #require(theirs.count == 3)
        for (mine, official) in zip(ours, theirs) {
            #expect(Set(mine.keys) == Set(official.keys))
            for (key, value) in official {
                var expected = value
                if key == "ts", let text = value as? String, text.hasSuffix("+00:00") {
                    expected = String(text.dropLast(6)) + "Z"
                }
                #expect(Self.canonical(mine[key]) == Self.canonical(expected), "row \(official["id"] ?? "?") field \(key)")
            }
        }
        let first = try #require(ours.last)
        #expect((first["id"] as? NSNumber)?.int64Value == 9_007_199_254_740_993)
        #expect(first["ok"] as? Bool == true)
        #expect(first["ts"] as? String == "2026-11-20T09:15:00.123456Z")
        #expect((first["doc"] as? [String: Any])?["b"] as? [String: Bool] == ["c": true])
        #expect(first["tags"] as? [String] == ["x", "y"])
        #expect(((first["address"] as? [String: Any])?["geo"] as? [String: Any])?["lat"] as? Double == 51.5)
        #expect(ours[1]["address"] is NSNull)
        #expect(ours[0]["ts"] as? String == "1969-12-31T23:59:59.999999Z")
    }

    @Test("an unknown job fails the document with the API's message")
    func unknownJobFails() throws {
        let workspace = try BigQueryWorkspace()
        _ = try Harness.emulatorHost()
        try workspace.addProcess("read-results", action: "get-query-results", settings: "")
        let run = try workspace.run("read-results", input: #"{"jobId": "no-such-job"}"#)
        #expect(run.status == 1)
        #expect(run.execution["status"] as? String == "ERROR")
        let documents = run.execution["documents"] as? [[String: Any]] ?? []
        let message = documents.first?["error"] as? String ?? ""
        #expect(message.contains("getQueryResults demo:no-such-job: HTTP 404"), "\(run.execution)")
    }

    @Test("a table is patched (new column, REQUIRED relaxed, description, labels) and a view's query replaced")
    func updateTableAndView() throws {
        let workspace = try BigQueryWorkspace()
        let dataset = Harness.uniqueDataset()
        try workspace.write("schema.json", #"[{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "name", "type": "STRING"}]"#)
        _ = try Harness.bq(["create-table", "\(dataset).orders", "schema.json"], in: workspace.root)
        try workspace.write("people.json", #"[{"name": "id", "type": "INTEGER"}, {"name": "name", "type": "STRING"}]"#)
        try workspace.write("people.jsonl", #"{"id": 5, "name": "small"}\#n{"id": 20, "name": "large"}"#)
        _ = try Harness.bq(["create-table", "\(dataset).people", "people.json"], in: workspace.root)
        _ = try Harness.bq(["insert", "\(dataset).people", "people.jsonl"], in: workspace.root)
        _ = try Harness.bq(["create-view", "\(dataset).recent", "SELECT id FROM `demo.\(dataset).people`"], in: workspace.root)
        try workspace.addProcess("patch-table", action: "update",
                                 settings: "<datasetId>\(dataset)</datasetId><tableId>orders</tableId>")
        let patch = """
            {"description": "orders v2", "labels": {"team": "sales"},
             "schema": {"fields": [{"name": "id", "type": "INTEGER", "mode": "NULLABLE"},
                                   {"name": "name", "type": "STRING", "mode": "NULLABLE"},
                                   {"name": "placed_at", "type": "TIMESTAMP", "mode": "NULLABLE"}]}}
            """
        let run = try workspace.run("patch-table", input: patch)
        #expect(run.status == 0, "\(run.stderr)")
        let output = try #require(try workspace.results().first)
        #expect(output["description"] as? String == "orders v2", "the output is the updated Table resource: \(output)")

        let table = try #require(try Harness.json(try Harness.bq(["table", "\(dataset).orders"], in: workspace.root)) as? [String: Any])
        #expect(table["description"] as? String == "orders v2")
        #expect(table["labels"] as? [String: String] == ["team": "sales"])
        let fields = table["schema"] as? [[String: Any]] ?? []
        #expect(fields.map { $0["name"] as? String } == ["id", "name", "placed_at"])
        #expect(fields.first?["mode"] as? String == "NULLABLE")
        #expect(fields.last?["type"] as? String == "TIMESTAMP")

        try workspace.addProcess("replace-view", action: "update",
                                 settings: "<object>dynamic-view</object><fullUpdate>true</fullUpdate>")
        let query = "SELECT id, name FROM `demo.\(dataset).people` WHERE id > 10"
        let view = #"{"tableReference": {"datasetId": "\#(dataset)", "tableId": "recent"}, "view": {"query": "\#(query)", "useLegacySql": false}}"#
        let viewRun = try workspace.run("replace-view", input: view)
        #expect(viewRun.status == 0, "\(viewRun.stderr)")
        let info = try #require(try Harness.json(try Harness.bq(["table", "\(dataset).recent"], in: workspace.root)) as? [String: Any])
        #expect(info["type"] as? String == "VIEW")
        // The emulator does not return view.query from tables.get: read the view instead.
        let viewed = try Harness.jsonLines(try Harness.bq(["query-rows", "SELECT * FROM `demo.\(dataset).recent`"],
                                                          in: workspace.root))
        #expect(viewed.count == 1)
        #expect(viewed.first?["id"] as? Int == 20)
        #expect(viewed.first?["name"] as? String == "large", "the view has the new query's columns: \(viewed)")

        let missing = try workspace.run("replace-view", input: #"{"tableReference": {"datasetId": "\#(dataset)", "tableId": "recent"}}"#)
        #expect(missing.status == 1)
        let message = (missing.execution["documents"] as? [[String: Any]])?.first?["error"] as? String ?? ""
        #expect(message.contains("document 0: a full update of view \(dataset).recent needs view.query"), "\(missing.execution)")
    }
}
