import Foundation
import Testing

/// A renaming map right before a storage-write connector shape: the connector does the map as it
/// encodes. Everything an auditor or the table sees must be what the map shape then the
/// connector shape give; the same process with `captureDocuments="all"` (which keeps the map
/// shape mapping) is the reference.
@Suite("storage-write doing the map before it", .serialized)
struct StorageFusedMapEndToEndTests {
    static func workspace(table: String, reference: String) throws -> String {
        let process = { (id: String, capture: String, operation: String) in
            """
            <process id="\(id)" name="Load renamed rows" captureDocuments="\(capture)">
              <shapes>
                <start id="start" next="map"><connector connection="inbox" operation="read"/></start>
                <map id="map" map="rename" next="write"/>
                <connector id="write" connection="bq" operation="\(operation)" next="done"/>
                <stop id="done"/>
              </shapes>
            </process>
            """
        }
        let operation = { (id: String, table: String) in
            """
            <operation id="\(id)" type="google-bigquery" action="streaming-insert">
              <datasetId>\(table.split(separator: ".")[0])</datasetId>
              <tableId>\(table.split(separator: ".")[1])</tableId>
              <api>storage-write</api>
              <batchCount>1000</batchCount>
            </operation>
            """
        }
        let files: [String: String] = [
            "processes/load.xml": process("load", "errors", "write"),
            "processes/reference.xml": process("reference", "all", "write-reference"),
            "connectors/bq.xml": """
                <connection id="bq" type="google-bigquery">
                  <projectId>demo</projectId>
                  <auth grant="none"/>
                  <retry maxAttempts="3" initialBackoff="100ms" maxBackoff="1s"/>
                </connection>
                """,
            "connectors/write.xml": operation("write", table),
            "connectors/write-reference.xml": operation("write-reference", reference),
            "profiles/src.xml": """
                <profile id="src" type="json">
                  <element name="id" type="number" required="true"/>
                  <element name="name" type="character"/>
                  <element name="amount" type="character"/>
                  <element name="ts" type="character"/>
                  <element name="score" type="number"/>
                </profile>
                """,
            "profiles/dst.xml": """
                <profile id="dst" type="json">
                  <element name="row_id" type="number"/>
                  <element name="customer" type="character" required="true"/>
                  <element name="amount" type="character"/>
                  <element name="ts" type="character"/>
                  <element name="score" type="number"/>
                </profile>
                """,
            "profiles/rename.xml": """
                <map id="rename" from="src" to="dst">
                  <mapping from="/id" to="/row_id"/>
                  <mapping from="/name" to="/customer"/>
                  <mapping from="/amount" to="/amount"/>
                  <mapping from="/ts" to="/ts"/>
                  <mapping from="/score" to="/score"/>
                </map>
                """,
            "table.json": """
                [{"name": "row_id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "customer", "type": "STRING"},
                 {"name": "amount", "type": "NUMERIC"}, {"name": "ts", "type": "TIMESTAMP"}, {"name": "score", "type": "FLOAT"},
                 {"name": "note", "type": "STRING"}]
                """,
        ]
        return try Harness.workspace("fused", files: files.merging(Harness.jsonLinesInbox) { $1 })
    }

    /// 2,500 rows in `json.dumps`'s spacing, with, at known lines: an escaped value and an extra
    /// member (the connector maps them itself), a missing required member and a text id (the map
    /// fails them), a fractional id and a timestamp that is none (the map passes them; the
    /// encoder cannot write them).
    static let special: [Int: String] = [
        7: #"{"id": 7, "name": "caf\u00e9", "amount": "1.25"}"#,
        700: #"{"id": 700, "name": "extra", "zzz": {"nested": [1, 2]}, "score": 2.5}"#,
        1_200: #"{"id": 1200, "amount": "3.00"}"#,
        1_201: #"{"id": "1201", "name": "text id"}"#,
        1_999: #"{"id": 1999.5, "name": "fraction"}"#,
        2_301: #"{"id": 2301, "name": "bad time", "ts": "not a time"}"#,
    ]

    static func rows() -> String {
        (0..<2_500).map { line in
            special[line] ?? #"{"id": \#(line), "name": "customer-\#(line % 97)", "amount": "\#(line).\#(line % 100)", "ts": "2026-11-\#(String(format: "%02d", 1 + line % 28))T10:11:12.123456Z", "score": \#(line % 7)}"#
        }.joined(separator: "\n") + "\n"
    }

    static func run(_ process: String, in workspace: String) throws -> (Harness.Output, [String: Any]) {
        let run = try Harness.conveyor(["run", process, "--workspace", workspace, "--json"])
        return (run, (try? Harness.json(run.stdout) as? [String: Any]) ?? [:])
    }

    /// Shape id → (in, out, error).
    static func shapes(_ execution: [String: Any]) -> [String: [Int]] {
        var counts: [String: [Int]] = [:]
        for shape in (execution["shapes"] as? [[String: Any]]) ?? [] {
            guard let id = shape["shapeId"] as? String else { continue }
            counts[id] = ["documentsIn", "documentsOut", "documentsError"].map { shape[$0] as? Int ?? -1 }
        }
        return counts
    }

    /// (index, shape, code, error) of every failed document, in index order.
    static func failures(_ execution: [String: Any]) -> [String] {
        ((execution["documents"] as? [[String: Any]]) ?? [])
            .filter { $0["status"] as? String == "error" }
            .map { "\($0["index"] ?? "") \($0["shapeId"] ?? "") \($0["errorCode"] ?? "") \($0["error"] ?? "")" }
            .sorted()
    }

    @Test("the map's failures are the map shape's, the connector's carry the mapped content, the rows are the reference's")
    func sameAsTheMapShapeMapping() throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try Self.workspace(table: dataset + ".fused", reference: dataset + ".reference")
        for table in ["fused", "reference"] {
            _ = try Harness.bq(["create-table", "\(dataset).\(table)", workspace + "/table.json"], in: workspace)
        }
        try Self.rows().write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)

        let (run, execution) = try Self.run("load", in: workspace)
        let (referenceRun, reference) = try Self.run("reference", in: workspace)
        #expect(run.status == 1 && referenceRun.status == 1, "stderr: \(run.stderr)\n\(referenceRun.stderr)")
        #expect(execution["documentsIn"] as? Int == 2_500)
        #expect(execution["documentsOut"] as? Int == 2_496)
        #expect(execution["documentsError"] as? Int == 4)
        // Counted where the map shape would count them: two failed at the map, two at the connector.
        let counts = Self.shapes(execution)
        #expect(counts["map"] == [2_500, 2_498, 2], "\(counts)")
        #expect(counts["write"] == [2_498, 2_496, 2], "\(counts)")
        #expect(counts == Self.shapes(reference), "\(counts) vs \(Self.shapes(reference))")
        let failed = Self.failures(execution)
        #expect(failed == Self.failures(reference), "\(failed.prefix(8))\nvs\n\(Self.failures(reference).prefix(8))")
        #expect(failed.count == 4 && failed.filter { $0.contains(" map mapping ") }.count == 2, "\(failed.prefix(8))")

        // A failed document at the connector is kept as the map's output, not its input.
        let id = try #require(execution["id"] as? String)
        let content = try Harness.conveyor(["executions", "show", id, "--document", "1999", "--shape", "write", "--raw",
                                            "--workspace", workspace])
        #expect(content.stdout == #"{"row_id":1999.5,"customer":"fraction"}"#, "\(content.stdout) \(content.stderr)")

        // The same rows, value for value.
        let fused = try Harness.bq(["list-rows", "\(dataset).fused", "row_id"], in: workspace)
        let written = try Harness.bq(["list-rows", "\(dataset).reference", "row_id"], in: workspace)
        let rows = try Harness.jsonLines(fused)
        #expect(rows.count == 2_496)
        #expect(fused == written)
        // The rows the connector mapped itself (an escape, a member the map drops).
        let customers = Dictionary(rows.compactMap { row in (row["row_id"] as? Int).map { ($0, row["customer"] as? String ?? "") } }) { $1 }
        #expect(customers[7] == "café" && customers[700] == "extra" && customers[2_499] == "customer-74", "\(customers[7] ?? "") \(customers[700] ?? "")")
    }
}
