import Foundation
import Testing

/// SIGTERM while a hosted execution runs: the host keeps answering, refuses new work with `503`,
/// lets the execution finish within `--grace-period` (or marks it ABORTED when the period runs
/// out) and exits 0. The execution waits on a named pipe until the test writes it.
@Suite("serve drains running executions on SIGTERM", .serialized)
struct ServeDrainTests {
    /// Starts `wait-pipe` through the REST API and waits until it is INPROCESS; returns its id.
    static func startWaitingExecution(_ host: ServeHost) async throws -> String {
        let accepted = try await ServeHost.curl(["-X", "POST", host.base + "/api/processes/wait-pipe/executions?wait=false"])
        let id = try #require((try Harness.json(accepted) as? [String: Any])?["id"] as? String, "answer: \(accepted)")
        var status: String?
        for _ in 0..<200 where status != "INPROCESS" {
            status = try await Self.status(host, id)
            if status != "INPROCESS" { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(status == "INPROCESS", "the hosted execution waits on the fifo")
        return id
    }

    /// Off the shared task pool, like every wait of these tests (a blocked pool thread would hold up
    /// the other tests running alongside).
    static func status(_ host: ServeHost, _ id: String) async throws -> String? {
        let answer = try await ServeHost.curl([host.base + "/api/executions/" + id])
        return (try? Harness.json(answer) as? [String: Any])?["status"] as? String
    }

    static func waitForLog(_ host: ServeHost, _ text: String) async throws {
        for _ in 0..<200 where !host.log.contains(text) { try await Task.sleep(for: .milliseconds(50)) }
        try #require(host.log.contains(text), "the host did not log '\(text)': \(host.log)")
    }

    static func waitForExit(_ host: ServeHost) async throws {
        for _ in 0..<300 where host.process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        try #require(!host.process.isRunning, "the host did not exit: \(host.log)")
    }

    @Test("the running execution finishes and is recorded COMPLETE; new requests get 503 meanwhile; exit 0")
    func runningExecutionFinishesDuringTheDrain() async throws {
        let workspace = try ServeLockTests.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        // A grace period no wait of the test comes near, even on a loaded machine where the test's
        // task waits a minute for a thread (it once did, and the host rightly gave up at 60 s).
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth", "--grace-period", "15m"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let id = try await Self.startWaitingExecution(host)

        kill(host.process.processIdentifier, SIGTERM)
        try await Self.waitForLog(host, "host stopping")
        #expect(host.log.contains("running=1"), "\(host.log)")
        // Still serving: new work is refused with 503 and Retry-After, reads are answered.
        let refused = try await ServeHost.curl(["-i", "-X", "POST", host.base + "/exclusive", "-d", "x"])
        #expect(refused.hasPrefix("HTTP/1.1 503"), "\(refused)")
        #expect(refused.lowercased().contains("retry-after: 5"), "\(refused)")
        #expect(try await Self.status(host, id) == "INPROCESS")
        #expect(host.process.isRunning, "the host waits for the running execution")

        let written = try await Harness.run("/usr/bin/timeout", ["-s", "KILL", "20", "sh", "-c", "printf '{\"n\":1}' > fifo/in.fifo"],
                                      in: workspace)
        #expect(written.status == 0, "nothing read the fifo: \(written.stderr)")
        try await Self.waitForExit(host)
        #expect(host.process.terminationStatus == 0)
        #expect(host.log.contains("host stopped"))
        #expect(!host.log.contains("aborted at shutdown"), "\(host.log)")
        let executions = try ServeLockTests.executions(workspace)
        #expect(executions.map { $0["id"] as? String } == [id], "the refused request ran nothing")
        #expect(executions.first?["status"] as? String == "COMPLETE")
    }

    @Test("an execution still running when the grace period runs out is recorded ABORTED; exit 0")
    func gracePeriodRunsOut() async throws {
        let workspace = try ServeLockTests.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth", "--grace-period", "1s"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let id = try await Self.startWaitingExecution(host)

        kill(host.process.processIdentifier, SIGINT)
        try await Self.waitForExit(host)
        #expect(host.process.terminationStatus == 0)
        #expect(host.log.contains("host stopping"))
        #expect(host.log.contains("execution aborted at shutdown"), "\(host.log)")
        #expect(host.log.contains("host stopped"))
        let shown = try await Harness.conveyor(["executions", "show", id, "--workspace", workspace, "--json"])
        let summary = try #require(try Harness.json(shown.stdout) as? [String: Any], "\(shown.stdout)\(shown.stderr)")
        #expect(summary["status"] as? String == "ABORTED")
        #expect((summary["error"] as? String)?.contains("the grace period of 1.0 seconds ran out") == true, "\(summary)")
    }
}
