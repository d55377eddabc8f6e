import Foundation
import Testing

/// `conveyor run` through `scripts/fault_proxy.py` (HTTP 500/503, 429 with Retry-After, resets,
/// stalls past the request timeout, truncated bodies; seeded, so reproducible) in front of the
/// emulator: at-least-once with insert-all, exactly-once with storage-write, and a clean ERROR
/// when every attempt fails.
@Suite("fault injection end to end", .serialized)
struct FaultInjectionTests {
    /// Rows per run: `CONVEYOR_FAULT_ROWS`, else 100,000 for insert-all.
    static var rows: Int { Int(Harness.environment["CONVEYOR_FAULT_ROWS"] ?? "") ?? 100_000 }

    @Test("insert-all with 20% of requests failing: every row lands at least once, every retry is counted")
    func insertAllAtLeastOnce() throws {
        let total = Self.rows
        let workspace = try LoadWorkspace(batchCount: 500)
        try workspace.writeRows(total)
        let proxy = try FaultProxy(target: try Harness.emulatorHost(), rate: 0.2, seed: 7)
        let started = Date()
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_EMULATOR_HOST": proxy.address])
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout.prefix(2_000))")
        #expect(execution["status"] as? String == "COMPLETE")
        #expect(execution["documentsOut"] as? Int == total)
        #expect(execution["documentsError"] as? Int == 0)
        let stats = proxy.stats()
        let faults = proxy.faultsInjected()
        #expect(faults > 0, "\(stats)")
        // Each injected fault fails one attempt, retried once, by Conveyor, or by libcurl itself when
        // a reused connection died before any answer (libcurl resends those at once; not counted).
        let retries = execution["retries"] as? Int ?? -1
        let batches = (total + 499) / 500
        #expect(retries > 0 && retries <= faults, "retries \(retries), proxy \(stats)")
        #expect((stats["requests"] ?? 0) >= batches + retries, "\(stats)")
        let found = try workspace.idStats()
        #expect(found.distinct == total && found.lowest == 0 && found.highest == total - 1, "\(found)")
        #expect(found.rows >= total, "\(found)")
        print("insert-all, \(total) rows, \(Int(Date().timeIntervalSince(started))) s: proxy \(stats), rows \(found)")

        // The record in the store says the same.
        let id = try #require(execution["id"] as? String)
        let shown = try Harness.conveyor(["executions", "show", id, "--workspace", workspace.root])
        #expect(shown.stdout.contains("retries    \(retries) requests sent again"), "\(shown.stdout.prefix(600))")
    }

    @Test("exactly-once storage-write with 20% of 64 KiB blocks cut, stalled or reset: every row exactly once")
    func storageWriteExactlyOnce() throws {
        let total = Self.rows
        _ = try Harness.emulatorHost()
        let storage = try #require(Harness.environment["BIGQUERY_STORAGE_EMULATOR_HOST"])
        // Enough attempts to outlast a stalled HTTP/2 connection (each attempt waits the 2 s request timeout).
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 500,
                                          retry: #"<retry maxAttempts="20" initialBackoff="100ms" maxBackoff="2s"/>"#,
                                          environment: [:])
        try workspace.writeRows(total)
        let proxy = try FaultProxy(target: storage, mode: "tcp", rate: 0.2, seed: 11, stallSeconds: 2.5)
        let started = Date()
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": proxy.address])
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout.prefix(2_000))")
        #expect(execution["documentsOut"] as? Int == total)
        let stats = proxy.stats()
        #expect(proxy.faultsInjected() > 0, "\(stats)")
        #expect((execution["retries"] as? Int ?? 0) > 0, "\(stats)")
        let found = try workspace.idStats()
        #expect(found.rows == total && found.distinct == total && found.lowest == 0 && found.highest == total - 1,
                "\(found)")
        print("storage-write exactly-once, \(total) rows, \(Int(Date().timeIntervalSince(started))) s: "
              + "proxy \(stats), retries \(execution["retries"] ?? "nil"), rows \(found)")
    }

    @Test("a storage-write connection that stops answering: every request waiting on it times out and is sent again")
    func storageWriteLateAnswersAreRetried() throws {
        let total = 20_000
        _ = try Harness.emulatorHost()
        let storage = try #require(Harness.environment["BIGQUERY_STORAGE_EMULATOR_HOST"])
        let workspace = try LoadWorkspace(api: "storage-write", batchCount: 2_000,
                                          retry: #"<retry maxAttempts="4" initialBackoff="100ms" maxBackoff="500ms"/>"#,
                                          environment: [:])
        try workspace.writeRows(total)
        // The answers stop once the stream has answered a few appends, with more sent behind them on
        // the same connection; the connection is held past the 2 s request timeout.
        let proxy = try FaultProxy(target: storage, mode: "tcp", rate: 0, stallSeconds: 6, holdAfter: 400)
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": proxy.address])
        #expect(proxy.stats()["hold"] == 1, "\(proxy.stats())")
        // Every request that was waiting failed as a timeout (retried), none as an unknown transport error.
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout.prefix(2_000))")
        #expect(execution["documentsOut"] as? Int == total)
        #expect((execution["retries"] as? Int ?? 0) >= 1, "\(execution["retries"] ?? "nil")")
        #expect(output.stderr.contains("retry: shape 'write': AppendRows to ") && output.stderr.contains(" of 4 in "),
                "\(output.stderr)")
        let found = try workspace.idStats()
        // At least once: the appends whose answers were held may have landed before they were sent again.
        #expect(found.distinct == total && found.rows >= total && found.lowest == 0 && found.highest == total - 1,
                "\(found)")
    }

    @Test("every request failing: ERROR with the cause after the configured attempts, nothing reported written")
    func everyRequestFails() throws {
        let total = 2_000
        let workspace = try LoadWorkspace(batchCount: 500,
                                          retry: #"<retry maxAttempts="3" initialBackoff="50ms" maxBackoff="200ms"/>"#)
        try workspace.writeRows(total)
        let proxy = try FaultProxy(target: try Harness.emulatorHost(), rate: 1, seed: 3, stallSeconds: 3)
        let started = Date()
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_EMULATOR_HOST": proxy.address])
        let elapsed = Date().timeIntervalSince(started)
        #expect(output.status == 1)
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsOut"] as? Int == 0)
        #expect(execution["documentsError"] as? Int == total)
        let error = execution["error"] as? String ?? ""
        #expect(error.contains("insertAll") && (error.contains("HTTP 5") || error.contains("HTTP 429")
                                                 || error.contains("curl error")), "\(error)")
        // Requests of at most 500 rows (at least 4), up to 3 attempts each. A request that ends without
        // an answer (a cut or stalled connection) spends its 3 and opens the circuit: the requests after
        // it that get no answer are sent once (OutageCircuit). The proxy saw every attempt (and
        // libcurl's own resends).
        let retries = execution["retries"] as? Int ?? 0
        #expect(retries >= 2 && retries <= 2 * (total / 500), "retries \(retries)")
        #expect((proxy.stats()["requests"] ?? 0) >= retries + total / 500, "\(proxy.stats())")
        let messages = ((execution["documents"] as? [[String: Any]]) ?? []).compactMap { $0["error"] as? String }
        #expect(messages.count == min(total, 1_000) && messages.allSatisfy { !$0.isEmpty })
        #expect(elapsed < 60, "took \(elapsed) s")
        // The retries were told on stderr while they waited, at most one line a second for the shape.
        let lines = output.stderr.split(separator: "\n").filter { $0.hasPrefix("retry: shape 'write': POST http://\(proxy.address)/") }
        #expect(!lines.isEmpty && lines.count <= retries, "\(output.stderr)")
        #expect(lines.allSatisfy { $0.contains("/insertAll failed (") && $0.contains(" of 3 in ") }, "\(output.stderr)")
    }

    @Test("exactly-once with every connection failing: ERROR, and every row counted written is in the table once")
    func storageWriteEveryConnectionFails() throws {
        let total = 5_000
        _ = try Harness.emulatorHost()
        let storage = try #require(Harness.environment["BIGQUERY_STORAGE_EMULATOR_HOST"])
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 500,
                                          retry: #"<retry maxAttempts="3" initialBackoff="50ms" maxBackoff="200ms"/>"#,
                                          environment: [:])
        try workspace.writeRows(total)
        // Resets and stalls only: a truncated answer lets the request through, and exactly-once counts it.
        let proxy = try FaultProxy(target: storage, mode: "tcp", rate: 1, seed: 5, faults: ["reset", "stall"],
                                   stallSeconds: 3)
        let started = Date()
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": proxy.address])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(execution["status"] as? String == "ERROR")
        let written = execution["documentsOut"] as? Int ?? -1
        #expect(written + (execution["documentsError"] as? Int ?? 0) == total)
        #expect(written < total)
        let error = execution["error"] as? String ?? ""
        #expect(error.contains("AppendRows") || error.contains("write stream"), "\(error)")
        let found = try workspace.idStats()
        #expect(found.rows == found.distinct, "no row twice: \(found)")
        #expect(found.rows >= written, "every row the record counts as written is in the table: \(found), written \(written)")
        #expect(Date().timeIntervalSince(started) < 90)
    }

    @Test("a storage endpoint that takes connections and never answers: ERROR after the attempts, no hang at the end",
          arguments: ["at-least-once", "exactly-once"])
    func storageWriteEndpointNeverAnswers(delivery: String) throws {
        let total = 3_000
        _ = try Harness.emulatorHost()
        let storage = try #require(Harness.environment["BIGQUERY_STORAGE_EMULATOR_HOST"])
        let workspace = try LoadWorkspace(api: "storage-write", delivery: delivery, batchCount: 1_000,
                                          retry: #"<retry maxAttempts="2" initialBackoff="50ms" maxBackoff="200ms"/>"#,
                                          environment: [:])
        try workspace.writeRows(total)
        // Every connection is taken and held for ten minutes, nothing read from it or answered: not
        // even the HTTP/2 handshake. The client's channel could not shut down gracefully, and the
        // run waited for it for ever once its documents had failed.
        let proxy = try FaultProxy(target: storage, mode: "silent", rate: 1, stallSeconds: 600)
        let started = Date()
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": proxy.address],
                                                    killAfter: 120)
        let elapsed = Date().timeIntervalSince(started)
        #expect(output.status == 1, "\(output.stderr)")
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsOut"] as? Int == 0)
        #expect(execution["documentsError"] as? Int == total)
        #expect(output.stderr.contains("retry: shape 'write': "), "\(output.stderr)")
        #expect(try workspace.idStats().rows == 0)
        // Attempts of 2 s (the request time limit) and, at the end, at most one more for the channel.
        #expect(elapsed < 40, "took \(elapsed) s")
    }
}
