import Foundation
import Testing

/// `<schemaUpdate>add-columns</schemaUpdate>` on storage-write through `conveyor run` against the
/// emulator: members a table lacks become NULLABLE columns typed from the batch's values (appends
/// and `<uniqueConstraints>` MERGEs), each logged; without it they are dropped as before, and with
/// `<unknownColumns>error</unknownColumns>` a member that cannot be a column is dead-lettered.
@Suite("storage-write schemaUpdate add-columns end to end", .serialized)
struct SchemaUpdateEndToEndTests {
    /// Two rows the table takes as it is, then rows with new members (two rows a batch, so the
    /// writer's schema changes between batches): `colour` text, `score` whole, `price` decimal,
    /// `tags` an object, `later` null first and true later, and `bad name` no column name.
    static let rows = """
        {"kind": "orders", "id": 1, "name": "one"}
        {"kind": "orders", "id": 2, "name": "two"}
        {"kind": "orders", "id": 3, "colour": "red", "score": 7, "price": 12.5, "later": null}
        {"kind": "orders", "id": 4, "colour": "blue", "score": 9, "price": 3.25, "bad name": "x"}
        {"kind": "orders", "id": 5, "tags": {"a": [1, 2]}, "later": true}
        """

    static func schema(_ table: String, in workspace: String) throws -> [String: String] {
        let info = try Harness.json(try Harness.bq(["table", table], in: workspace)) as? [String: Any]
        let fields = info?["schema"] as? [[String: Any]] ?? []
        var types: [String: String] = [:]
        for field in fields {
            if let name = field["name"] as? String { types[name] = "\(field["type"] ?? "")/\(field["mode"] ?? "")" }
        }
        return types
    }

    static func rowsByID(_ table: String, in workspace: String) throws -> [Int: [String: Any]] {
        var byID: [Int: [String: Any]] = [:]
        for row in try Harness.jsonLines(try Harness.bq(["list-rows", table, "id"], in: workspace)) {
            if let id = row["id"] as? Int { byID[id] = row }
        }
        return byID
    }

    /// The table gained the columns with their types, the values landed, and each add is logged.
    static func expectEvolved(_ dataset: String, workspace: String, execution: [String: Any]) throws {
        let types = try schema("\(dataset).orders", in: workspace)
        #expect(types["colour"] == "STRING/NULLABLE")
        #expect(types["score"] == "INTEGER/NULLABLE")
        #expect(types["price"] == "NUMERIC/NULLABLE")
        #expect(types["tags"] == "JSON/NULLABLE")
        #expect(types["later"] == "BOOLEAN/NULLABLE")
        #expect(types["bad name"] == nil && types.count == 10, "\(types)")
        let rows = try rowsByID("\(dataset).orders", in: workspace)
        try #require(rows.count == 5, "\(rows)")
        #expect(rows[3]?["colour"] as? String == "red")
        #expect(rows[3]?["score"] as? Int == 7)
        #expect("\(rows[3]?["price"] ?? "")" == "12.5")
        #expect(rows[4]?["colour"] as? String == "blue")
        #expect("\(rows[4]?["price"] ?? "")" == "3.25")
        #expect(rows[3]?["later"] == nil || rows[3]?["later"] is NSNull)
        #expect(rows[5]?["later"] as? Bool == true)
        #expect("\(rows[5]?["tags"] ?? "")".contains("a"))
        let log = execution["userLog"] as? [String] ?? []
        for (column, type) in [("colour", "STRING"), ("score", "INTEGER"), ("price", "NUMERIC"), ("tags", "JSON"), ("later", "BOOLEAN")] {
            #expect(log.contains("column \(column) (\(type)) added to table demo.\(dataset).orders (schemaUpdate add-columns)"), "\(log)")
        }
        #expect(log.count { $0.contains("added to table") } == 5)
    }

    @Test("appends: new members become typed columns between batches, their values land, the adds are logged")
    func addColumnsOnAppend() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try StorageSinkEndToEndTests.workspace(dataset: dataset, options: """
            <batchCount>2</batchCount>
            <schemaUpdate>add-columns</schemaUpdate>
            """)
        _ = try Harness.bq(["create-table", "\(dataset).orders", StorageSinkEndToEndTests.table], in: workspace)
        let (run, execution) = try StorageSinkEndToEndTests.run(workspace, rows: Self.rows)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["status"] as? String == "COMPLETE")
        #expect(execution["documentsOut"] as? Int == 5)
        try Self.expectEvolved(dataset, workspace: workspace, execution: execution)
    }

    @Test("uniqueConstraints MERGE: new members become typed columns and merge into the keys' rows")
    func addColumnsOnMerge() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try StorageSinkEndToEndTests.workspace(dataset: dataset, options: """
            <batchCount>2</batchCount>
            <schemaUpdate>add-columns</schemaUpdate>
            <uniqueConstraints>id</uniqueConstraints>
            """)
        _ = try Harness.bq(["create-table", "\(dataset).orders", StorageSinkEndToEndTests.table], in: workspace)
        let (run, execution) = try StorageSinkEndToEndTests.run(workspace, rows: Self.rows)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 5)
        try Self.expectEvolved(dataset, workspace: workspace, execution: execution)
        // A second run updates a key's row with a new member's value: no column is added again.
        let (again, second) = try StorageSinkEndToEndTests.run(workspace, rows: #"{"kind": "orders", "id": 1, "colour": "green", "score": 1}"#)
        #expect(again.status == 0, "stderr: \(again.stderr)")
        #expect((second["userLog"] as? [String] ?? []).allSatisfy { !$0.contains("added to table") })
        let rows = try Self.rowsByID("\(dataset).orders", in: workspace)
        #expect(rows.count == 5)
        #expect(rows[1]?["colour"] as? String == "green")
        #expect(rows[1]?["name"] as? String == "one")
    }

    @Test("a column appearing mid-stream among 8 batches of 500: every row lands once, the later ones with their values")
    func addColumnsMidStream() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try StorageSinkEndToEndTests.workspace(dataset: dataset, options: """
            <batchCount>500</batchCount>
            <schemaUpdate>add-columns</schemaUpdate>
            """)
        _ = try Harness.bq(["create-table", "\(dataset).orders", StorageSinkEndToEndTests.table], in: workspace)
        let rows = (1...4_000).map { id in
            id <= 2_250 ? #"{"kind": "orders", "id": \#(id)}"# : #"{"kind": "orders", "id": \#(id), "score": \#(id * 2)}"#
        }
        let (run, execution) = try StorageSinkEndToEndTests.run(workspace, rows: rows.joined(separator: "\n"))
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(execution["documentsOut"] as? Int == 4_000)
        #expect(try Self.schema("\(dataset).orders", in: workspace)["score"] == "INTEGER/NULLABLE")
        let counts = try Harness.bq(["query-rows", "SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, COUNT(score) AS s, "
            + "SUM(IF(score = id * 2, 1, 0)) AS ok FROM `demo.\(dataset).orders`"], in: workspace)
        let row = try #require(try Harness.jsonLines(counts).first)
        #expect(row["n"] as? Int == 4_000 && row["d"] as? Int == 4_000, "\(row)")
        #expect(row["s"] as? Int == 1_750 && row["ok"] as? Int == 1_750, "\(row)")
    }

    @Test("without schemaUpdate the new members are dropped and the table keeps its schema")
    func withoutAddColumnsDropped() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try StorageSinkEndToEndTests.workspace(dataset: dataset, options: "<batchCount>2</batchCount>")
        _ = try Harness.bq(["create-table", "\(dataset).orders", StorageSinkEndToEndTests.table], in: workspace)
        let (run, execution) = try StorageSinkEndToEndTests.run(workspace, rows: Self.rows)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 5)
        #expect(try Self.schema("\(dataset).orders", in: workspace).count == 5)
        #expect(try Self.rowsByID("\(dataset).orders", in: workspace).count == 5)
        #expect((execution["userLog"] as? [String] ?? []).allSatisfy { !$0.contains("added to table") })
    }

    @Test("unknownColumns error: a member that is no column name is dead-lettered naming it; without add-columns a new one too")
    func unknownColumnsErrorDeadLetters() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try StorageSinkEndToEndTests.workspace(dataset: dataset, options: """
            <schemaUpdate>add-columns</schemaUpdate>
            <unknownColumns>error</unknownColumns>
            <deadLetter destination="file" path="dlq/rows.jsonl"/>
            """)
        _ = try Harness.bq(["create-table", "\(dataset).orders", StorageSinkEndToEndTests.table], in: workspace)
        let (run, execution) = try StorageSinkEndToEndTests.run(workspace, rows: Self.rows)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["status"] as? String == "COMPLETE_WARN")
        #expect(execution["documentsDeadLettered"] as? Int == 1)
        #expect(try Self.schema("\(dataset).orders", in: workspace)["colour"] == "STRING/NULLABLE")
        #expect(try Self.rowsByID("\(dataset).orders", in: workspace).keys.sorted() == [1, 2, 3, 5])
        let dead = try Harness.jsonLines(try String(contentsOfFile: workspace + "/dlq/rows.jsonl", encoding: .utf8))
        try #require(dead.count == 1)
        #expect((dead[0]["failure_reason"] as? String)?.contains("column bad name is not in the schema of table demo.\(dataset).orders") == true,
                "\(dead[0])")

        // Without add-columns, a new member's row is dead-lettered naming the column.
        let plain = try StorageSinkEndToEndTests.workspace(dataset: dataset, options: """
            <unknownColumns>error</unknownColumns>
            <deadLetter destination="file" path="dlq/rows.jsonl"/>
            """)
        let (second, secondExecution) = try StorageSinkEndToEndTests.run(plain, rows: #"{"kind": "orders", "id": 6, "size": "XL"}"#)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(secondExecution["documentsDeadLettered"] as? Int == 1)
        let letters = try Harness.jsonLines(try String(contentsOfFile: plain + "/dlq/rows.jsonl", encoding: .utf8))
        #expect((letters.first?["failure_reason"] as? String)?.contains("column size is not in the schema") == true)
        #expect(try Self.schema("\(dataset).orders", in: plain)["size"] == nil)
    }
}
