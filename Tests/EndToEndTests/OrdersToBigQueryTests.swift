import Foundation
import Testing

/// The sample process, run by the built binary against the emulator, read back by the official client.
@Suite("orders-to-bigquery end to end")
struct OrdersToBigQueryTests {
    @Test("rows written by conveyor run are read back field for field by google-cloud-bigquery")
    func rowsLandFieldForField() throws {
        let workspace = try Harness.sampleWorkspace()
        let dataset = Harness.uniqueDataset()
        _ = try Harness.bq(["create-table", "\(dataset).orders", "samples/orders-table.json"], in: workspace)

        let run = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace,
                                        "--property", "dataset=\(dataset)", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any])
        #expect(execution["status"] as? String == "COMPLETE")
        #expect(execution["documentsIn"] as? Int == 5)
        #expect(execution["documentsOut"] as? Int == 5)
        #expect(execution["documentsError"] as? Int == 0)

        let rows = try Harness.jsonLines(try Harness.bq(["rows", "\(dataset).orders", "order_id"], in: workspace))
        try #require(rows.count == 5)
        let first = rows[0]
        #expect(first["order_id"] as? Int == 1001)
        #expect(first["customer"] as? String == "ADA LOVELACE")
        #expect(first["country"] as? String == "GB")
        #expect(first["amount"] as? String == "59.97")
        #expect(first["placed_at"] as? String == "2026-11-20T09:15:00+00:00")
        #expect(first["placed_day"] as? String == "2026-11-20")
        #expect(first["source"] as? String == "web")
        let items = try #require(first["items"] as? [[String: Any]])
        #expect(items.count == 1)
        #expect(items.first?["sku"] as? String == "BK-001")
        #expect(items.first?["qty"] as? Int == 2)

        let second = rows[1]
        #expect(second["order_id"] as? Int == 1002)
        #expect(second["customer"] as? String == "GRACE HOPPER")
        // 10:02:31+01:00 is 09:02:31 UTC.
        #expect(second["placed_at"] as? String == "2026-11-20T09:02:31+00:00")
        let secondItems = try #require(second["items"] as? [[String: Any]])
        #expect(secondItems.map { $0["sku"] as? String } == ["KB-104", "MS-220"])

        let fourth = rows[3]
        #expect(fourth["order_id"] as? Int == 1004)
        #expect((fourth["items"] as? [[String: Any]])?.count == 3)
        #expect(rows.map { $0["order_id"] as? Int } == [1001, 1002, 1003, 1004, 1005])
    }

    @Test("a failing document is recorded with its error while the other documents land")
    func failingDocumentsAreRecorded() throws {
        let workspace = try Harness.sampleWorkspace()
        let dataset = Harness.uniqueDataset()
        _ = try Harness.bq(["create-table", "\(dataset).orders", "samples/orders-table.json"], in: workspace)
        let bad = """
            {"id": "not-a-number", "customer": {"name": "Bad Type", "country": "FR"}, "items": [], "price": 1, "placedAt": "2026-11-21T08:00:00Z"}
            {"customer": {"name": "No Id", "country": "FR"}, "items": [], "price": 2, "placedAt": "2026-11-21T08:00:00Z"}
            {"id": 2001, "customer": {"name": "Broken"
            """
        try bad.write(toFile: workspace + "/samples/orders/orders-bad.jsonl", atomically: true, encoding: .utf8)

        let run = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace,
                                        "--property", "dataset=\(dataset)", "--json"])
        #expect(run.status == 1, "an execution with failed documents exits 1; stderr: \(run.stderr)")
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any])
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsIn"] as? Int == 8)
        #expect(execution["documentsOut"] as? Int == 5)
        #expect(execution["documentsError"] as? Int == 3, "nothing silently dropped: in = out + failed")
        let failed = try #require(execution["documents"] as? [[String: Any]])
        #expect(failed.count == 3)
        #expect(failed.allSatisfy { $0["shapeId"] as? String == "to-row" && $0["status"] as? String == "error" })
        let messages = failed.compactMap { $0["error"] as? String }
        #expect(messages.contains { $0.contains("/id: expected number") }, "bad type: \(messages)")
        #expect(messages.contains { $0.contains("/id") && $0.contains("required") }, "missing id: \(messages)")
        #expect(messages.contains { $0.contains("not valid JSON") }, "broken JSON: \(messages)")

        let count = try Harness.bq(["count", "\(dataset).orders"], in: workspace)
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "5")

        let id = try #require(execution["id"] as? String)
        let show = try Harness.conveyor(["executions", "show", id, "--workspace", workspace])
        #expect(show.status == 0)
        #expect(show.stdout.contains("ERROR"))
        #expect(show.stdout.contains("to-row input error"))
    }

    @Test("conveyor tracked search finds the sample order's execution and document")
    func trackedSearchFindsOrder() throws {
        let workspace = try Harness.sampleWorkspace()
        let dataset = Harness.uniqueDataset()
        _ = try Harness.bq(["create-table", "\(dataset).orders", "samples/orders-table.json"], in: workspace)
        let run = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace,
                                        "--property", "dataset=\(dataset)", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any])
        let executionID = try #require(execution["id"] as? String)

        let search = try Harness.conveyor(["tracked", "search", "--field", "orderId=1002", "--workspace", workspace, "--json"])
        #expect(search.status == 0, "\(search.stderr)")
        let matches = try #require(try Harness.json(search.stdout) as? [[String: Any]])
        try #require(matches.count == 1)
        let match = matches[0]
        #expect(match["executionId"] as? String == executionID)
        #expect(match["processId"] as? String == "orders-to-bigquery")
        #expect(match["shapeId"] as? String == "insert")
        #expect(match["operationId"] as? String == "insert-orders")
        #expect(match["direction"] as? String == "input")
        #expect(match["index"] as? Int == 1)
        #expect(match["status"] as? String == "success")
        let fields = try #require(match["trackedValues"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: fields.compactMap { field -> (String, String)? in
            guard let name = field["name"] as? String, let value = field["value"] as? String else { return nil }
            return (name, value)
        })
        #expect(byName["customer"] == "GRACE HOPPER")
        // amount is a number field: recorded in canonical text (149.50 → 149.5).
        #expect(byName["amount"] == "149.5")
        #expect(byName["sourceFile"] == "orders-2026-11-20.jsonl")

        let text = try Harness.conveyor(["tracked", "search", "--field", "orderId=1002", "--workspace", workspace])
        #expect(text.stdout.contains(executionID))
        #expect(text.stdout.contains("document #1"))
        let none = try Harness.conveyor(["tracked", "search", "--field", "orderId=999999", "--workspace", workspace])
        #expect(none.stdout.contains("no document"))
    }
}
