import Foundation
import Testing

/// `scripts/schema_change_proxy.py` in front of the emulator's Storage Write API, for the lifetime
/// of the value: it adds a column to the table once the first AppendRows stream opens and refuses
/// the first `refusals` streams for their schema, as BigQuery refuses a writer whose schema no
/// longer matches the table.
final class SchemaChangeProxy {
    private let script: LoopbackScript
    /// `127.0.0.1:PORT`, for `BIGQUERY_STORAGE_EMULATOR_HOST`.
    var address: String { script.address }

    init(table: String, addColumn: String, refusals: Int) throws {
        let target = try #require(Harness.environment["BIGQUERY_STORAGE_EMULATOR_HOST"])
        script = try LoopbackScript("schema_change_proxy.py", ["--target", target, "--table", table,
                                    "--add-column", addColumn, "--refusals", "\(refusals)"])
    }

    /// Counts so far: `streams`, `refused`, `forwarded`.
    func stats() -> [String: Int] { script.stats() }
}

/// A storage-write request refused because the table's schema changed under the writer: the
/// writer loads the schema again and encodes every row not yet written anew from its document,
/// those of batches encoded before the refusal included. A second refusal fails the rows, and
/// nothing is reported written that is not in the table.
@Suite("storage-write: the table's schema changes under the writer", .serialized)
struct StorageSchemaRefusalTests {
    static let total = 3_000

    /// A workspace whose rows carry a `label` member the table has no column for yet.
    static func workspace(delivery: String, batchCount: Int) throws -> LoadWorkspace {
        _ = try Harness.emulatorHost()
        let workspace = try LoadWorkspace(api: "storage-write", delivery: delivery, batchCount: batchCount,
                                          retry: #"<retry maxAttempts="3" initialBackoff="50ms" maxBackoff="200ms"/>"#)
        var lines = ""
        for id in 0..<total { lines += #"{"id": \#(id), "payload": "row-\#(id)", "label": "l-\#(id)"}"# + "\n" }
        try FileManager.default.createDirectory(atPath: workspace.root + "/in", withIntermediateDirectories: true)
        try lines.write(toFile: workspace.root + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        return workspace
    }

    /// The workspace run through a proxy that adds `label` and refuses the first `refusals` streams.
    static func run(delivery: String, refusals: Int, batchCount: Int = 500) throws
        -> (LoadWorkspace, SchemaChangeProxy, Harness.Output, [String: Any]) {
        let workspace = try workspace(delivery: delivery, batchCount: batchCount)
        let proxy = try SchemaChangeProxy(table: workspace.table, addColumn: "label:STRING", refusals: refusals)
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": proxy.address])
        return (workspace, proxy, output, execution)
    }

    /// Rows whose `label` column holds their own label.
    static func labelled(_ workspace: LoadWorkspace) throws -> Int {
        let text = try workspace.bq(["query-rows", "SELECT COUNT(*) AS n FROM demo.\(workspace.table) "
                                        + "WHERE label = CONCAT('l-', CAST(id AS STRING))"])
        let row = try #require(try Harness.jsonLines(text).first)
        return (row["n"] as? Int) ?? Int("\(row["n"] ?? "")") ?? -1
    }

    @Test("refused once for its schema: the schema is read again, every row lands once with the new column's value",
          arguments: ["at-least-once", "exactly-once"])
    func refusedOnce(delivery: String) throws {
        let (workspace, proxy, output, execution) = try Self.run(delivery: delivery, refusals: 1)
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout.prefix(1_000))")
        #expect(execution["status"] as? String == "COMPLETE")
        #expect(execution["documentsOut"] as? Int == Self.total)
        #expect(proxy.stats()["refused"] == 1, "\(proxy.stats())")
        let found = try workspace.idStats()
        #expect(found.rows == Self.total && found.distinct == Self.total,
                "every row once: \(found), proxy \(proxy.stats()), retries \(execution["retries"] ?? "?")\n\(output.stderr)")
        // Rows encoded before the refusal (the refused batch's, and those of batches accepted while
        // it was sent) carry the column only if they were encoded again under the new schema.
        #expect(try Self.labelled(workspace) == Self.total)
    }

    /// One batch, so that both refused streams are its own: the first refusal reads the schema
    /// again, the second fails the rows.
    @Test("a batch refused again after the schema was read again: its rows fail naming the schema, none is in the table, the re-run writes each once",
          arguments: ["at-least-once", "exactly-once"])
    func refusedTwice(delivery: String) throws {
        let (workspace, proxy, output, execution) = try Self.run(delivery: delivery, refusals: 2, batchCount: Self.total)
        #expect(proxy.stats()["refused"] == 2, "\(proxy.stats())")
        #expect(output.status == 1, "\(output.stderr)\n\(output.stdout.prefix(1_000))")
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsOut"] as? Int == 0)
        #expect(execution["documentsError"] as? Int == Self.total)
        #expect(try workspace.idStats().rows == 0, "nothing reported written, nothing there")
        let messages = ((execution["documents"] as? [[String: Any]]) ?? []).compactMap { $0["error"] as? String }
        #expect(!messages.isEmpty && messages.allSatisfy { $0.contains("schema") }, "\(messages.prefix(3))")

        let (again, rerun) = try workspace.run()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(rerun["status"] as? String == "COMPLETE")
        let all = try workspace.idStats()
        #expect(all.rows == Self.total && all.distinct == Self.total, "every row once after the re-run: \(all)")
        #expect(try Self.labelled(workspace) == Self.total)
    }

    /// Overlapping batches (at-least-once): which batch's requests meet the two refused streams
    /// depends on timing, so each batch may be refused once (and land) or one twice (and fail).
    /// Either way what is reported written is in the table, once, with its label.
    @Test("two refusals among overlapping batches: what is reported written is in the table once, with the new column's value")
    func refusedTwiceWhileBatchesOverlap() throws {
        let (workspace, proxy, output, execution) = try Self.run(delivery: "at-least-once", refusals: 2)
        #expect(proxy.stats()["refused"] == 2, "\(proxy.stats())")
        let out = execution["documentsOut"] as? Int ?? -1
        let failed = execution["documentsError"] as? Int ?? -1
        #expect(out >= 0 && failed >= 0 && out + failed == Self.total, "out \(out), failed \(failed)")
        #expect(output.status == (failed == 0 ? 0 : 1), "\(output.stderr)")
        #expect(execution["status"] as? String == (failed == 0 ? "COMPLETE" : "ERROR"))
        let found = try workspace.idStats()
        #expect(found.rows == out && found.distinct == out, "reported written is what is there: \(found), out \(out)")
        #expect(try Self.labelled(workspace) == out)
        let messages = ((execution["documents"] as? [[String: Any]]) ?? []).compactMap { $0["error"] as? String }
        #expect(messages.allSatisfy { $0.contains("schema") }, "\(messages.prefix(3))")
    }
}
