import Foundation
import Testing

/// The Storage Write API endpoint unreachable, with a dead-letter queue configured: an outage is
/// not a bad row. The documents fail with the cause, the execution ends ERROR, nothing goes to the
/// queue, and a re-run once the endpoint is back delivers every row.
@Suite("storage-write outage end to end", .serialized)
struct StorageOutageTests {
    /// A loopback port nothing listens on.
    static func closedPort() throws -> Int {
        let output = try Harness.run(Harness.python, ["-c", """
            import socket
            s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
            """])
        return try #require(Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test("endpoint unreachable: ERROR, exit 1, nothing dead-lettered, documents failed with the cause; the re-run delivers every row",
          arguments: ["at-least-once", "exactly-once"])
    func outageIsNotPoison(delivery: String) throws {
        let total = 2_000
        _ = try Harness.emulatorHost()
        let workspace = try LoadWorkspace(api: "storage-write", delivery: delivery, batchCount: 500,
                                          retry: #"<retry maxAttempts="2" initialBackoff="50ms" maxBackoff="100ms"/>"#,
                                          timeouts: #"<timeouts connect="1s" request="2s"/>"#,
                                          sink: #"<deadLetter destination="file" path="dlq/rows.jsonl"/>"#)
        try workspace.writeRows(total)
        let dead = "127.0.0.1:\(try Self.closedPort())"
        let started = Date()
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": dead])
        #expect(output.status == 1, "\(output.stderr)\n\(output.stdout.prefix(1_000))")
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsOut"] as? Int == 0)
        #expect(execution["documentsError"] as? Int == total)
        let error = execution["error"] as? String ?? ""
        #expect(error.contains("UNAVAILABLE") || error.contains("DEADLINE_EXCEEDED"), "\(error)")
        let messages = ((execution["documents"] as? [[String: Any]]) ?? []).compactMap { $0["error"] as? String }
        #expect(!messages.isEmpty && messages.allSatisfy { !$0.isEmpty }, "\(messages.prefix(3))")
        let letters = (try? String(contentsOfFile: workspace.root + "/dlq/rows.jsonl", encoding: .utf8)) ?? ""
        #expect(letters.isEmpty, "an outage is not a bad row: \(letters.prefix(300))")
        #expect(try workspace.idStats().rows == 0)
        #expect(Date().timeIntervalSince(started) < 60)

        let (again, rerun) = try workspace.run()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(rerun["status"] as? String == "COMPLETE")
        #expect(rerun["documentsOut"] as? Int == total)
        let found = try workspace.idStats()
        #expect(found.rows == total && found.distinct == total, "every row delivered once: \(found)")
        #expect(((try? String(contentsOfFile: workspace.root + "/dlq/rows.jsonl", encoding: .utf8)) ?? "").isEmpty)
    }

    /// The endpoint down for longer than the retries, at-least-once, ten batches of 1,000 rows (one
    /// connector call each): the first request to spend its retries opens the circuit, and the
    /// requests after it are not retried, saying why. Before, each batch spent its own budget: an
    /// outage cost one budget per batch (735 s for 20 batches with the default retries), not one.
    @Test("endpoint down for longer than the retries: one retry budget for the execution, not one per batch",
          arguments: ["insert-all", "storage-write"])
    func outageSpendsOneBudget(api: String) throws {
        let total = 10_000, batch = 1_000, attempts = 4
        _ = try Harness.emulatorHost()
        let workspace = try LoadWorkspace(api: api, delivery: api == "storage-write" ? "at-least-once" : nil, batchCount: batch,
                                          retry: #"<retry maxAttempts="\#(attempts)" initialBackoff="200ms" maxBackoff="400ms"/>"#,
                                          timeouts: #"<timeouts connect="1s" request="2s"/>"#)
        try workspace.writeRows(total)
        let dead = "127.0.0.1:\(try Self.closedPort())"
        let variable = api == "storage-write" ? "BIGQUERY_STORAGE_EMULATOR_HOST" : "BIGQUERY_EMULATOR_HOST"
        let (output, execution) = try workspace.run(environment: [variable: dead])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsOut"] as? Int == 0)
        #expect(execution["documentsError"] as? Int == total)
        // Requests in flight together (insert-all sends 4 at once, for each of two batches at most;
        // storage-write sends a batch while the one before it waits) may each spend their retries
        // before the first runs out; no more than that.
        let inFlight = api == "insert-all" ? 8 : 2
        let retries = execution["retries"] as? Int ?? -1
        #expect(retries >= attempts - 1 && retries <= inFlight * (attempts - 1),
                "retries \(retries); a budget per batch would make at least \(total / batch * (attempts - 1))")
        let id = try #require(execution["id"] as? String)
        let shown = try Harness.conveyor(["executions", "show", id, "--workspace", workspace.root, "--json"])
        let documents = ((try? Harness.json(shown.stdout) as? [String: Any])?["documents"] as? [[String: Any]]) ?? []
        let messages = documents.compactMap { $0["error"] as? String }
        #expect(messages.count == total && messages.allSatisfy { !$0.isEmpty }, "\(messages.count)")
        // "sent once, not retried: …", or "sent 2 times, not retried further: …" for a request that was
        // waiting to retry when another found the endpoint down.
        let cause = ": an earlier request found the endpoint unreachable after \(attempts) attempts"
        let noted = messages.filter { $0.contains(", not retried") && $0.contains(cause) }.count
        #expect(noted >= total - inFlight * batch, "\(noted) of \(total) noted: \(stride(from: 0, to: messages.count, by: batch).map { messages[$0].suffix(100) })")
        #expect(try workspace.idStats().rows == 0)

        let (again, rerun) = try workspace.run()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(rerun["documentsOut"] as? Int == total)
        #expect(rerun["retries"] as? Int == 0)
    }

    @Test("<storageWriteEndpoint>http://host:port</storageWriteEndpoint> reaches a plaintext endpoint")
    func plaintextEndpointSetting() throws {
        _ = try Harness.emulatorHost()
        let storage = try #require(Harness.environment["BIGQUERY_STORAGE_EMULATOR_HOST"])
        for (index, endpoint) in ["http://\(storage)", "http://\(storage)/", "  http://\(storage)\n  "].enumerated() {
            let workspace = try LoadWorkspace(api: "storage-write", delivery: index == 0 ? "exactly-once" : nil,
                                              connection: "<storageWriteEndpoint>\(endpoint)</storageWriteEndpoint>")
            try workspace.writeRows(300)
            let validate = try Harness.conveyor(["validate", "--workspace", workspace.root])
            #expect(validate.status == 0, "\(endpoint): \(validate.stdout) \(validate.stderr)")
            // The emulator variable would override the setting: it is emptied for this run.
            let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": ""])
            #expect(output.status == 0, "\(endpoint): \(output.stderr)")
            #expect(execution["documentsOut"] as? Int == 300)
            let found = try workspace.idStats()
            #expect(found.rows == 300 && found.distinct == 300, "\(endpoint): \(found)")
        }
    }
}
