import Foundation
import Testing

/// The example workspace `examples/` (one process per BigQuery operation, shown in
/// docs/operations/), validated and run by the built binary against the emulator.
@Suite("examples/ end to end")
struct ExamplesEndToEndTests {
    /// A copy of `examples/` with the tables of a fresh dataset created from `examples/tables/`.
    struct Example {
        let root: String
        let dataset: String

        init() throws {
            root = try Harness.temporaryDirectory("examples")
            try FileManager.default.removeItem(atPath: root)
            try FileManager.default.copyItem(atPath: Harness.packageRoot + "/examples", toPath: root)
            dataset = Harness.uniqueDataset()
            for table in ["orders", "daily_totals", "customers"] {
                _ = try Harness.bq(["create-table", "\(dataset).\(table)", "tables/\(table).json"], in: root)
            }
        }

        /// `conveyor run PROCESS --property dataset=… [--input FILE]`; expects exit code 0.
        func run(_ process: String, input: String? = nil) throws {
            var arguments = ["run", process, "--workspace", root, "--property", "dataset=\(dataset)", "--json"]
            if let input { arguments += ["--input", root + "/" + input] }
            let output = try Harness.conveyor(arguments)
            #expect(output.status == 0, "\(process): \(output.stdout)\(output.stderr)")
            let execution = try Harness.json(output.stdout) as? [String: Any]
            #expect(execution?["status"] as? String == "COMPLETE", "\(output.stdout)")
        }

        /// The documents a process appended to `out/NAME`.
        func output(_ name: String) throws -> [[String: Any]] {
            try Harness.jsonLines(String(contentsOfFile: root + "/out/" + name, encoding: .utf8))
        }

        /// The rows of a table, as the official client reads them.
        func rows(_ table: String, orderBy: String) throws -> [[String: Any]] {
            try Harness.jsonLines(try Harness.bq(["rows", "\(dataset).\(table)", orderBy], in: root))
        }
    }

    @Test("the example workspace is valid")
    func validates() throws {
        let output = try Harness.conveyor(["validate", "--workspace", Harness.packageRoot + "/examples"])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("5 process(es)"), "\(output.stdout)")
    }

    @Test("streaming-insert: stream-orders writes the order file's rows and passes them on")
    func streamingInsert() throws {
        let example = try Example()
        try example.run("stream-orders")
        #expect(try example.rows("orders", orderBy: "order_id").map { $0["order_id"] as? Int } == [1001, 1002, 1003, 1004])
        let streamed = try example.output("streamed.jsonl")
        #expect(streamed.map { $0["customer"] as? String }
            == ["Ada Lovelace", "Grace Hopper", "Katherine Johnson", "Alan Turing"])
        let search = try Harness.conveyor(["tracked", "search", "--workspace", example.root, "--field", "orderId=1003", "--json"])
        #expect(search.status == 0 && search.stdout.contains("orders-2026-11-20.jsonl"), "\(search.stdout)\(search.stderr)")
    }

    @Test("run-job: daily-totals runs a parameterised query job and passes on the finished job")
    func runJob() throws {
        let example = try Example()
        try example.run("stream-orders")
        try example.run("daily-totals", input: "samples/day.json")
        let totals = try example.rows("daily_totals", orderBy: "country")
        #expect(totals.map { $0["country"] as? String } == ["GB", "US"])
        #expect(totals.map { $0["orders"] as? Int } == [1, 2], "order 1004 is below @min_amount")
        #expect(totals.map { $0["total"] as? String } == ["59.97", "167.5"])
        let job = try #require(try example.output("jobs.jsonl").first)
        #expect((job["status"] as? [String: Any])?["state"] as? String == "DONE")
        let statistics = (job["statistics"] as? [String: Any])?["query"] as? [String: Any]
        #expect(statistics?["numDmlAffectedRows"] as? String == "2")
    }

    @Test("get-query-results: read-totals turns each result row into one document")
    func getQueryResults() throws {
        let example = try Example()
        try example.run("stream-orders")
        try example.run("daily-totals", input: "samples/day.json")
        try example.run("read-totals", input: "samples/day.json")
        let rows = try example.output("totals.jsonl")
        #expect(rows.map { $0["country"] as? String } == ["GB", "US"])
        #expect(rows.map { $0["orders"] as? Int } == [1, 2])
        #expect(rows.map { ($0["total"] as? String).flatMap(Double.init) } == [59.97, 167.5], "NUMERIC as decimal text")
    }

    @Test("update: describe-orders patches the table and passes on the updated Table resource")
    func update() throws {
        let example = try Example()
        try example.run("describe-orders", input: "samples/orders-patch.json")
        let table = try #require(try example.output("tables.jsonl").first)
        #expect(table["description"] as? String == "Orders streamed from the web shop")
        #expect((table["labels"] as? [String: Any])?["team"] as? String == "sales")
        let metadata = try Harness.bq(["table", "\(example.dataset).orders"], in: example.root)
        #expect(metadata.contains("channel"), "\(metadata)")
        #expect(metadata.contains("Orders streamed from the web shop"), "\(metadata)")
    }

    @Test("upsert-data: upsert-customers updates the existing customer and inserts the new ones")
    func upsertData() throws {
        let example = try Example()
        _ = try Harness.bq(["insert", "\(example.dataset).customers", "tables/customers-existing.jsonl"], in: example.root)
        try example.run("upsert-customers", input: "samples/customers.jsonl")
        let summary = try #require(try example.output("upserts.jsonl").first)
        #expect(summary["rowsInserted"] as? Int == 2)
        #expect(summary["rowsUpdated"] as? Int == 1)
        #expect(summary["rowsStaged"] as? Int == 3)
        let customers = try example.rows("customers", orderBy: "customer_id")
        #expect(customers.map { $0["customer_id"] as? Int } == [1, 2, 3])
        #expect(customers.map { $0["tier"] as? String } == ["gold", "gold", "silver"])
    }
}
