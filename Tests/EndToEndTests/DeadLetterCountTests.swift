import Foundation
import Testing

/// Dead-lettered rows are counted, not hidden: the execution ends COMPLETE_WARN with
/// `documentsDeadLettered`, and each such document is tracked `dead-lettered` with its reason, in
/// the run's `--json`, `executions show --json`, the REST API and the reporting page.
@Suite("dead letters counted end to end", .serialized)
struct DeadLetterCountTests {
    @Test("two rows dead-lettered out of five: COMPLETE_WARN, 2 dead-lettered, tracked with the reason everywhere")
    func deadLettersAreCounted() async throws {
        let dataset = Harness.uniqueDataset()
        let workspace = try StorageSinkEndToEndTests.workspace(
            dataset: dataset, options: #"<deadLetter destination="file" path="dlq/rows.jsonl"/>"#)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        _ = try await Harness.bq(["create-table", "\(dataset).ta", StorageSinkEndToEndTests.table], in: workspace)
        let (run, execution) = try StorageSinkEndToEndTests.run(workspace, rows: """
            {"kind": "ta", "id": 1, "name": "one"}
            {"kind": "ta", "name": "no id"}
            {"kind": "ta", "id": 3, "name": "three"}
            {"kind": "ta", "name": "no id either"}
            {"kind": "ta", "id": 5, "name": "five"}
            """)
        #expect(run.status == 0, "COMPLETE_WARN exits 0: \(run.stderr)")
        #expect(execution["status"] as? String == "COMPLETE_WARN", "\(execution)")
        #expect(execution["documentsDeadLettered"] as? Int == 2)
        #expect(execution["documentsOut"] as? Int == 5)
        #expect(execution["documentsError"] as? Int == 0)
        #expect((execution["userLog"] as? [String])?.contains { $0.contains("2 document(s) dead-lettered") } == true)
        #expect(try StorageSinkEndToEndTests.count("\(dataset).ta", in: workspace) == "3")
        let listed = (execution["documents"] as? [[String: Any]]) ?? []
        #expect(listed.map { $0["status"] as? String } == ["dead-lettered", "dead-lettered"], "\(listed)")
        #expect(listed.compactMap { $0["index"] as? Int } == [1, 3])
        let id = try #require(execution["id"] as? String)

        let shown = try await Harness.conveyor(["executions", "show", id, "--workspace", workspace, "--json"])
        let record = try #require(try Harness.json(shown.stdout) as? [String: Any], "\(shown.stderr)")
        #expect(record["status"] as? String == "COMPLETE_WARN")
        #expect(record["documentsDeadLettered"] as? Int == 2)
        let documents = (record["documents"] as? [[String: Any]]) ?? []
        let dead = documents.filter { $0["status"] as? String == "dead-lettered" }
        #expect(dead.compactMap { $0["index"] as? Int } == [1, 3], "\(documents)")
        #expect(dead.allSatisfy { ($0["error"] as? String)?.contains("column id") == true }, "\(dead)")
        #expect(documents.filter { $0["status"] as? String == "success" }.count == 3)
        let text = try await Harness.conveyor(["executions", "show", id, "--workspace", workspace])
        #expect(text.stdout.contains("5 in, 5 out, 0 failed, 2 dead-lettered"), "\(text.stdout)")
        #expect(text.stdout.contains("#1 write input dead-lettered"), "\(text.stdout)")

        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let rest = try #require(try Harness.json(try await ServeHost.curl([host.base + "/api/executions/" + id])) as? [String: Any])
        #expect(rest["status"] as? String == "COMPLETE_WARN")
        #expect(rest["documentsDeadLettered"] as? Int == 2)
        let tracked = try #require(
            try Harness.json(try await ServeHost.curl([host.base + "/api/executions/\(id)/documents/1"])) as? [String: Any])
        let records = (tracked["records"] as? [[String: Any]]) ?? []
        #expect(records.first?["status"] as? String == "dead-lettered", "\(tracked)")
        #expect((records.first?["error"] as? String)?.contains("column id") == true)
        let page = try await ServeHost.curl([host.base + "/reporting/executions/" + id])
        #expect(page.contains(#"<span class="warn" id="dead-lettered">2 dead-lettered</span>"#), "\(page.prefix(3000))")
        // The diagram marks the shape that only dead-lettered documents, with its counts; the
        // dead-lettered documents' kept contents are linked.
        #expect(page.contains(#"<g class="shape kind-connector warn" id="shape-write""#), "\(page)")
        #expect(page.contains("5 in, 5 out, 2 dead-lettered"), "\(page)")
        #expect(page.contains("href=\"/reporting/executions/\(id)/documents/3\""), "\(page)")
        #expect(try await host.stop())
    }
}
