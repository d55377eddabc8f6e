import Foundation
import Testing

/// `<api>storage-write</api>` through `conveyor run` against the emulator's Storage Write API,
/// read back with the official Python client.
@Suite("storage-write end to end", .serialized)
struct StorageWriteEndToEndTests {
    /// A workspace reading `in/*.jsonl` and writing each line through storage-write.
    static func workspace(table: String, delivery: String? = nil, batchCount: Int? = nil, options: String = "") throws -> String {
        let files: [String: String] = [
            "processes/load.xml": """
                <process id="load" name="Load rows">
                  <shapes>
                    <start id="start" next="write"><connector connection="inbox" operation="read"/></start>
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
                  <datasetId>\(table.split(separator: ".")[0])</datasetId>
                  <tableId>\(table.split(separator: ".")[1])</tableId>
                  <api>storage-write</api>
                  \(delivery.map { "<delivery>\($0)</delivery>" } ?? "")
                  \(batchCount.map { "<batchCount>\($0)</batchCount>" } ?? "")
                  \(options)
                </operation>
                """,
        ]
        return try Harness.workspace("storage", files: files.merging(Harness.jsonLinesInbox) { $1 })
    }

    static var fixtures: String { Harness.packageRoot + "/Tests/EndToEndTests/Fixtures" }

    static func run(_ workspace: String) throws -> (Harness.Output, [String: Any]) {
        let run = try Harness.conveyor(["run", "load", "--workspace", workspace, "--json"])
        let execution = (try? Harness.json(run.stdout) as? [String: Any]) ?? [:]
        return (run, execution)
    }

    @Test("every BigQuery type written through AppendRows reads back with the official client")
    func everyTypeRoundTrips() throws {
        let table = Harness.uniqueDataset() + ".types"
        let workspace = try Self.workspace(table: table)
        _ = try Harness.bq(["create-table", table, Self.fixtures + "/storage-types-table.json"], in: workspace)
        try FileManager.default.copyItem(atPath: Self.fixtures + "/storage-types.jsonl", toPath: workspace + "/in/rows.jsonl")
        let (run, execution) = try Self.run(workspace)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 2)

        let rows = try Harness.jsonLines(try Harness.bq(["list-rows", table, "id"], in: workspace))
        try #require(rows.count == 2)
        let row = rows[0]
        #expect(row["id"] as? Int == -7)
        #expect(row["score"] as? Double == 2.25)
        #expect(row["amount"] as? String == "12345.678900001")
        #expect(row["active"] as? Bool == true)
        #expect(row["name"] as? String == "Zoë")
        #expect(row["blob"] as? String == "AAEC/w==")
        #expect(row["day"] as? String == "2024-02-29")
        #expect((row["local"] as? String)?.hasPrefix("2024-02-29T12:30:00") == true)
        #expect((row["clock"] as? String)?.hasPrefix("23:59:58") == true)
        #expect(row["at"] as? String == "2024-03-01T09:00:00.123456+00:00")
        #expect(row["tags"] as? [String] == ["x", "y"])
        #expect(row["counts"] as? [Int] == [1, -2, 3])
        let doc = row["doc"]
        #expect("\(doc ?? "")".contains("1"), "JSON column: \(String(describing: doc))")
        #expect((row["place"] as? String)?.uppercased().contains("POINT") == true)
        // The second row leaves every nullable column out.
        #expect(rows[1]["id"] as? Int == 8)
        #expect(rows[1]["name"] is NSNull)
    }

    @Test("a row that does not fit its columns fails alone; the others land")
    func badRowsFailAlone() throws {
        let table = Harness.uniqueDataset() + ".types"
        let workspace = try Self.workspace(table: table)
        _ = try Harness.bq(["create-table", table, Self.fixtures + "/storage-types-table.json"], in: workspace)
        try """
            {"id": 1, "name": "ok"}
            {"id": "not a number", "name": "bad"}
            {"id": 3, "day": "2024-02-30x"}
            {"id": 4, "name": "ok too"}
            """.write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let (run, execution) = try Self.run(workspace)
        #expect(run.status == 1)
        #expect(execution["documentsOut"] as? Int == 2)
        #expect(execution["documentsError"] as? Int == 2)
        let failed = (execution["documents"] as? [[String: Any]]) ?? []
        let messages = failed.compactMap { $0["error"] as? String }
        #expect(messages.contains { $0.contains("column id") }, "\(messages)")
        #expect(messages.contains { $0.contains("column day") }, "\(messages)")
        let count = try Harness.bq(["count", table], in: workspace)
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }

    @Test("written rows go on carrying their table's project, dataset and table ids and their line number")
    func outputsCarryTheTablesProperties() throws {
        let table = Harness.uniqueDataset() + ".types"
        let workspace = try Self.workspace(table: table)
        _ = try Harness.bq(["create-table", table, Self.fixtures + "/storage-types-table.json"], in: workspace)
        // The write goes on to a disk send that names each file after the properties.
        let process = workspace + "/processes/load.xml"
        let text = try String(contentsOfFile: process, encoding: .utf8)
            .replacingOccurrences(of: #"<connector id="write" connection="bq" operation="write" next="done"/>"#,
                                  with: #"<connector id="write" connection="bq" operation="write" next="keep"/><connector id="keep" connection="outbox" operation="keep" next="done"/>"#)
        try text.write(toFile: process, atomically: true, encoding: .utf8)
        try #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#
            .write(toFile: workspace + "/connectors/outbox.xml", atomically: true, encoding: .utf8)
        try """
            <operation id="keep" type="disk" action="send">
              <fileName>{bigquery.projectId}.{bigquery.datasetId}.{bigquery.tableId}-{disk.line}.json</fileName>
            </operation>
            """.write(toFile: workspace + "/connectors/keep.xml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: workspace + "/out", withIntermediateDirectories: true)
        try (1...5).map { #"{"id": \#($0), "name": "n\#($0)"}"# }.joined(separator: "\n")
            .write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let (run, execution) = try Self.run(workspace)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 5)
        let files = try FileManager.default.contentsOfDirectory(atPath: workspace + "/out").sorted()
        #expect(files == (1...5).map { "demo.\(table)-\($0).json" }, "\(files)")
    }

    @Test("chunks overlap (the next is sent while the last waits): every row lands once, dead letters keep their order")
    func overlappingChunksLandOnce() throws {
        let table = Harness.uniqueDataset() + ".types"
        // Chunks of 1,000 documents, each sent as requests of 400 rows.
        let workspace = try Self.workspace(table: table, batchCount: 400,
                                           options: #"<deadLetter destination="file" path="dlq/rows.jsonl"/>"#)
        _ = try Harness.bq(["create-table", table, Self.fixtures + "/storage-types-table.json"], in: workspace)
        let bad: Set<Int> = [10, 1_010, 2_010]
        let lines = (0..<2_500).map { id in
            bad.contains(id) ? #"{"id": "bad-\#(id)", "name": "r\#(id)"}"# : #"{"id": \#(id), "name": "r\#(id)"}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let (run, execution) = try Self.run(workspace)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 2_500)
        #expect(execution["documentsError"] as? Int == 0)
        let rows = try Harness.jsonLines(try Harness.bq(["list-rows", table, "id"], in: workspace))
        #expect(rows.compactMap { $0["id"] as? Int } == (0..<2_500).filter { !bad.contains($0) })
        let records = try Harness.jsonLines(try String(contentsOfFile: workspace + "/dlq/rows.jsonl", encoding: .utf8))
        #expect(records.map { ($0["original_record"] as? [String: Any])?["name"] as? String } == ["r10", "r1010", "r2010"])
    }

    @Test("uniqueConstraints UPDATE on a straight path: chunks merge one after another, the latest row of a key wins")
    func overlappingMergesKeepBatchOrder() throws {
        let table = Harness.uniqueDataset() + ".types"
        let workspace = try Self.workspace(table: table, batchCount: 400,
                                           options: #"<uniqueConstraints conflict="UPDATE">id</uniqueConstraints>"#)
        _ = try Harness.bq(["create-table", table, Self.fixtures + "/storage-types-table.json"], in: workspace)
        // 2,500 rows over 1,200 keys: each key comes back in a later chunk (never twice in one).
        let lines = (0..<2_500).map { #"{"id": \#($0 % 1_200), "name": "v\#($0)"}"# }
        try (lines.joined(separator: "\n") + "\n").write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let (run, execution) = try Self.run(workspace)
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        #expect(execution["documentsOut"] as? Int == 2_500)
        let rows = try Harness.jsonLines(try Harness.bq(["list-rows", table, "id"], in: workspace))
        #expect(rows.count == 1_200)
        let latest = (0..<1_200).map { id in "v\((0..<2_500).last { $0 % 1_200 == id } ?? -1)" }
        #expect(rows.compactMap { $0["name"] as? String } == latest)
    }

    @Test("exactly-once: killed with SIGKILL mid-stream and run again, every row lands exactly once")
    func exactlyOnceSurvivesSIGKILL() throws {
        let table = Harness.uniqueDataset() + ".events"
        let workspace = try Self.workspace(table: table, delivery: "exactly-once", batchCount: 50)
        _ = try Harness.bq(["create-table", table, Self.fixtures + "/storage-events-table.json"], in: workspace)
        let total = 40_000
        var lines = ""
        for id in 0..<total { lines += #"{"id": \#(id), "payload": "row-\#(id)-abcdefghijklmnopqrstuvwxyz"}"# + "\n" }
        try lines.write(toFile: workspace + "/in/events.jsonl", atomically: true, encoding: .utf8)

        // First run: killed once its checkpoint shows acknowledged rows.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.conveyor)
        process.arguments = ["run", "load", "--workspace", workspace]
        process.environment = try Harness.environment(forWorkspace: workspace)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var checkpointed = 0
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            checkpointed = WorkspaceStore.checkpointRows(workspace)
            if checkpointed > 0 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(process.isRunning, "the first run ended before it could be killed (make the input larger)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let written = Int(try Harness.bq(["count", table], in: workspace).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(written > 0 && written < total, "killed mid-stream: \(written) of \(total) rows were written")

        // Second run: resumes the same stream from the checkpoint.
        let (run, execution) = try Self.run(workspace)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(execution["documentsError"] as? Int == 0)
        let count = try Harness.bq(["count", table], in: workspace)
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "\(total)")
        let ids = try Harness.jsonLines(try Harness.bq(["rows", table, "id"], in: workspace)).compactMap { $0["id"] as? Int }
        #expect(ids == Array(0..<total), "each row exactly once")
        #expect(WorkspaceStore.checkpointRows(workspace) == -1, "the finished run removes its checkpoint")
    }
}
