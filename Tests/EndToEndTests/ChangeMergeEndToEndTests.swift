import Foundation
import Testing

/// Change documents (properties `schema`, `table`, `op`, `key_columns`, as a change-data-capture
/// source sets them) merged through storage-write `<uniqueConstraints>` with interpolated keys,
/// through `conveyor run` against the emulator.
@Suite("change documents merged by uniqueConstraints end to end", .serialized)
struct ChangeMergeEndToEndTests {
    static let accounts = #"[{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "small", "type": "STRING"}, "#
        + #"{"name": "big", "type": "STRING"}, {"name": "note", "type": "STRING"}]"#
    static let members = #"[{"name": "tenant", "type": "STRING", "mode": "REQUIRED"}, "#
        + #"{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "role", "type": "STRING"}]"#

    /// Reads `in/*.jsonl`; each line's `_schema`, `_table`, `_op` and `_keys` become the document
    /// properties `schema`, `table`, `op` and `key_columns` (the table has no such columns: dropped).
    static func workspace() throws -> String {
        let property = { (name: String, member: String) in
            #"<property scope="document" name="\#(name)"><value source="profile" path="/\#(member)"/></property>"#
        }
        let files: [String: String] = [
            "processes/apply.xml": """
                <process id="apply" name="Apply changes">
                  <shapes>
                    <start id="start" next="props"><connector connection="inbox" operation="read"/></start>
                    <setProperties id="props" next="write">
                      \(property("schema", "_schema"))\(property("table", "_table"))
                      \(property("op", "_op"))\(property("key_columns", "_keys"))
                    </setProperties>
                    <connector id="write" connection="bq" operation="mirror" next="done"/>
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
            "connectors/mirror.xml": """
                <operation id="mirror" type="google-bigquery" action="streaming-insert">
                  <api>storage-write</api>
                  <datasetId>{schema}</datasetId>
                  <tableId>{table}</tableId>
                  <uniqueConstraints conflict="UPDATE">{key_columns}</uniqueConstraints>
                </operation>
                """,
        ]
        let root = try Harness.workspace("cdc-merge", files: files.merging(Harness.jsonLinesInbox) { $1 })
        let validate = try Harness.conveyor(["validate", "--workspace", root])
        #expect(validate.status == 0, "validate: \(validate.stdout) \(validate.stderr)")
        return root
    }

    static func run(_ workspace: String, dataset: String, changes: [String]) throws -> (Harness.Output, [String: Any]) {
        let lines = changes.map { $0.replacingOccurrences(of: "{", with: #"{"_schema": "\#(dataset)", "#, options: [.anchored]) }
        try lines.joined(separator: "\n").write(toFile: workspace + "/in/changes.jsonl", atomically: true, encoding: .utf8)
        let run = try Harness.conveyor(["run", "apply", "--workspace", workspace, "--json"])
        try? FileManager.default.removeItem(atPath: workspace + "/in/changes.jsonl")
        return (run, (try? Harness.json(run.stdout) as? [String: Any]) ?? [:])
    }

    /// The rows of a table sorted by `id`, as `[column: text]` (NULL left out).
    static func rows(_ table: String, in workspace: String) throws -> [[String: String]] {
        try Harness.jsonLines(try Harness.bq(["list-rows", table, "id"], in: workspace)).map { row in
            row.compactMapValues { value in value is NSNull ? nil : "\(value)" }
        }
    }

    @Test("inserts, updates, deletes and truncates of two tables merge in order; absent columns are kept")
    func changesMergeInOrder() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try Self.workspace()
        for (table, schema) in [("accounts", Self.accounts), ("members", Self.members)] {
            try schema.write(toFile: workspace + "/\(table).json", atomically: true, encoding: .utf8)
            _ = try Harness.bq(["create-table", "\(dataset).\(table)", workspace + "/\(table).json"], in: workspace)
        }
        try """
            {"id": 1, "small": "s1", "big": "B1", "note": "n1"}
            {"id": 5, "small": "keep5", "big": "big5", "note": "note5"}
            {"id": 9, "small": "old9", "big": "oldbig9"}
            """.write(toFile: workspace + "/old-accounts.jsonl", atomically: true, encoding: .utf8)
        try """
            {"tenant": "t1", "id": 1, "role": "admin"}
            {"tenant": "t2", "id": 1, "role": "user"}
            """.write(toFile: workspace + "/old-members.jsonl", atomically: true, encoding: .utf8)
        _ = try Harness.bq(["insert", "\(dataset).accounts", workspace + "/old-accounts.jsonl"], in: workspace)
        _ = try Harness.bq(["insert", "\(dataset).members", workspace + "/old-members.jsonl"], in: workspace)
        let account = #""_table": "accounts", "_keys": "id""#
        let member = #""_table": "members", "_keys": "tenant,id""#
        let (first, execution) = try Self.run(workspace, dataset: dataset, changes: [
            #"{\#(account), "_op": "insert", "id": 2, "small": "a", "big": "BIG2", "note": "x"}"#,
            #"{\#(member), "_op": "update", "tenant": "t1", "id": 1, "role": "owner"}"#,
            #"{\#(account), "_op": "update", "id": 2, "big": "BIG2b"}"#,
            #"{\#(account), "_op": "update", "id": 2, "small": "a2"}"#,
            #"{\#(account), "_op": "update", "id": 1, "small": "s1b"}"#,
            #"{\#(account), "_op": "delete", "id": 5}"#,
            #"{\#(member), "_op": "delete", "tenant": "t2", "id": 1}"#,
            #"{\#(account), "_op": "insert", "id": 3, "small": "three", "big": "B3"}"#,
            #"{\#(account), "_op": "delete", "id": 3}"#,
            #"{\#(account), "_op": "insert", "id": 3, "small": "three again"}"#,
            #"{\#(account), "_op": "delete", "id": 9}"#,
            #"{\#(account), "_op": "insert", "id": 9, "small": "nine"}"#,
            #"{\#(member), "_op": "insert", "tenant": "t2", "id": 2, "role": "guest"}"#,
        ])
        #expect(first.status == 0, "stderr: \(first.stderr)\nstdout: \(first.stdout)")
        #expect(execution["documentsOut"] as? Int == 13)
        #expect(try Self.rows("\(dataset).accounts", in: workspace) == [
            ["id": "1", "small": "s1b", "big": "B1", "note": "n1"],
            ["id": "2", "small": "a2", "big": "BIG2b", "note": "x"],
            ["id": "3", "small": "three again"],
            ["id": "9", "small": "nine"],
        ])
        #expect(try Self.rows("\(dataset).members", in: workspace) == [
            ["tenant": "t1", "id": "1", "role": "owner"],
            ["tenant": "t2", "id": "2", "role": "guest"],
        ])

        // A second batch: an update lacking columns, a delete and a re-insert across batches, a
        // delete of a key that is not there, and a truncate that drops the members rows before it.
        let (second, _) = try Self.run(workspace, dataset: dataset, changes: [
            #"{\#(account), "_op": "update", "id": 2, "note": "y"}"#,
            #"{\#(member), "_op": "insert", "tenant": "t3", "id": 1, "role": "dropped"}"#,
            #"{\#(account), "_op": "delete", "id": 3}"#,
            #"{\#(member), "_op": "truncate", "_keys": ""}"#,
            #"{\#(account), "_op": "insert", "id": 5, "small": "back"}"#,
            #"{\#(account), "_op": "delete", "id": 42}"#,
            #"{\#(member), "_op": "insert", "tenant": "t1", "id": 7, "role": "after"}"#,
        ])
        #expect(second.status == 0, "stderr: \(second.stderr)\nstdout: \(second.stdout)")
        #expect(try Self.rows("\(dataset).accounts", in: workspace) == [
            ["id": "1", "small": "s1b", "big": "B1", "note": "n1"],
            ["id": "2", "small": "a2", "big": "BIG2b", "note": "y"],
            ["id": "5", "small": "back"],
            ["id": "9", "small": "nine"],
        ])
        #expect(try Self.rows("\(dataset).members", in: workspace) == [["tenant": "t1", "id": "7", "role": "after"]])

        // Keys that render to something other than column names fail their document, named.
        let (third, failed) = try Self.run(workspace, dataset: dataset, changes: [
            #"{"_table": "accounts", "_keys": "id; DROP TABLE x", "_op": "update", "id": 1, "small": "no"}"#,
            #"{"_table": "accounts", "_keys": "nope", "_op": "update", "id": 1, "small": "no"}"#,
            #"{"_table": "accounts", "_keys": "ID", "_op": "update", "id": 2, "note": "z"}"#,
        ])
        #expect(third.status == 1)
        let messages = ((failed["documents"] as? [[String: Any]]) ?? []).compactMap { $0["error"] as? String }
        #expect(messages.contains { $0.contains("document 0") && $0.contains("not a plain column name") }, "\(messages)")
        #expect(messages.contains { $0.contains("unique key column nope is not a column of table demo.\(dataset).accounts") },
                "\(messages)")
        #expect(messages.count == 2, "a key in another case names the column: \(messages)")
        #expect(try Self.rows("\(dataset).accounts", in: workspace)[1] == ["id": "2", "small": "a2", "big": "BIG2b", "note": "z"])
        #expect(try Self.rows("\(dataset).accounts", in: workspace).first?["small"] == "s1b")
    }
}
