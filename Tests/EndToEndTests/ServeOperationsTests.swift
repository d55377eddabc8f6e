import Foundation
import Testing
import TestSupport

/// `GET /healthz`, `GET /readyz` and `GET /metrics` of the built `conveyor serve`: liveness and
/// readiness answer without credentials, metrics need them and count executions in the Prometheus
/// text format, and readiness turns 503 once SIGTERM starts the drain.
@Suite("serve health, readiness and metrics", .serialized)
struct ServeOperationsTests {
    /// ``ServeLockTests/workspace()`` (with `wait-pipe`) plus `orders` (listener `POST /orders`):
    /// `?outcome=fail` ends it in ERROR at an exception shape, `?outcome=ok` writes the document to `out/`.
    static func workspace() throws -> String {
        let root = try ServeLockTests.workspace()
        let files = [
            "processes/orders.xml": """
                <process id="orders">
                  <shapes>
                    <start id="start" next="check"><listener path="/orders" method="POST"/></start>
                    <decision id="check" onTrue="boom" onFalse="write">
                      <left><value source="document" property="http.query.outcome"/></left>
                      <compare op="eq"/>
                      <right><value source="static" value="fail"/></right>
                    </decision>
                    <exception id="boom" message="asked to fail"/>
                    <connector id="write" connection="outbox" operation="save" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/save.xml": #"<operation id="save" type="disk" action="send"><fileName>order.json</fileName></operation>"#,
        ]
        for (path, text) in files { try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8) }
        return root
    }

    /// Status code, content type and body of a GET.
    static func get(_ url: String, _ arguments: [String] = []) throws -> (status: Int, type: String, body: String) {
        let output = try ServeHost.curl(arguments + ["-w", "\n%{http_code} %{content_type}", url])
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let last = lines.removeLast().split(separator: " ", maxSplits: 1)
        return (Int(last.first ?? "") ?? 0, last.count > 1 ? String(last[1]) : "", lines.joined(separator: "\n"))
    }

    @Test("probes answer without credentials, /metrics needs them and counts executions; /readyz is 503 in the drain")
    func healthReadinessAndMetrics() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let token = "tok-\(UUID().uuidString)"
        let host = try await ServeHost.start(workspace: workspace,
                                             arguments: ["--auth", "bearer:E2E_OPS_TOKEN", "--grace-period", "60s"],
                                             environment: ["CONVEYOR_SECRET_E2E_OPS_TOKEN": token])
        defer { if host.process.isRunning { host.process.terminate() } }
        let auth = ["-H", "Authorization: Bearer \(token)"]

        let health = try Self.get(host.base + "/healthz")
        #expect(health.status == 200 && health.body == "ok\n", "\(health)")
        let ready = try Self.get(host.base + "/readyz")
        #expect(ready.status == 200 && ready.body == "ok\n", "\(ready)")
        let refused = try Self.get(host.base + "/metrics")
        #expect(refused.status == 401, "\(refused)")
        #expect(!refused.body.contains("conveyor_"))

        let complete = try ServeLockTests.answer(auth + ["-X", "POST", host.base + "/orders?outcome=ok", "-d", #"{"id":1}"#])
        #expect(complete.status == 200, "\(complete)")
        let failed = try ServeLockTests.answer(auth + ["-X", "POST", host.base + "/orders?outcome=fail", "-d", #"{"id":2}"#])
        #expect(failed.status == 500, "\(failed)")

        let scraped = try Self.get(host.base + "/metrics", auth)
        #expect(scraped.status == 200)
        #expect(scraped.type == "text/plain; version=0.0.4; charset=utf-8")
        let metrics = PrometheusText(scraped.body)
        #expect(metrics.problems.isEmpty, "\(metrics.problems)\n\(scraped.body)")
        let samples = metrics.samples
        #expect(samples[#"conveyor_executions_total{process="orders",status="COMPLETE"}"#] == 1, "\(scraped.body)")
        #expect(samples[#"conveyor_executions_total{process="orders",status="ERROR"}"#] == 1)
        #expect(samples[#"conveyor_execution_duration_seconds_count{process="orders"}"#] == 2)
        #expect(samples[#"conveyor_documents_total{process="orders",kind="in"}"#] == 2)
        #expect(samples[#"conveyor_documents_total{process="orders",kind="out"}"#] == 1)
        #expect(samples[#"conveyor_documents_total{process="orders",kind="failed"}"#] == 1)
        #expect(samples[#"conveyor_documents_total{process="orders",kind="dead_lettered"}"#] == 0)
        #expect(samples[#"conveyor_rows_written_total{process="orders",shape="write"}"#] == 1)
        #expect(samples[#"conveyor_retries_total{process="orders"}"#] == 0)
        #expect(samples["conveyor_executions_running"] == 0)
        #expect(samples["conveyor_queue_depth"] == 0)
        #expect((samples["conveyor_host_uptime_seconds"] ?? 0) > 0)

        // SIGTERM with an execution running: readiness says so while the host drains, liveness stays 200.
        let accepted = try await ServeHost.curl(auth + ["-X", "POST", host.base + "/api/processes/wait-pipe/executions?wait=false"])
        let id = try #require((try Harness.json(accepted) as? [String: Any])?["id"] as? String, "answer: \(accepted)")
        for _ in 0..<200 {
            let gauges = PrometheusText(try Self.get(host.base + "/metrics", auth).body).samples
            if gauges["conveyor_executions_running"] == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(host.process.processIdentifier, SIGTERM)
        try await ServeDrainTests.waitForLog(host, "host stopping")
        let draining = try Self.get(host.base + "/readyz")
        #expect(draining.status == 503, "\(draining)")
        #expect(draining.body == "not ready: the host is shutting down\n")
        #expect(try Self.get(host.base + "/healthz").status == 200)
        let running = PrometheusText(try Self.get(host.base + "/metrics", auth).body).samples
        #expect(running["conveyor_executions_running"] == 1)

        let written = try await Harness.run("/usr/bin/timeout", ["-s", "KILL", "20", "sh", "-c", "printf '{\"n\":1}' > fifo/in.fifo"],
                                      in: workspace)
        #expect(written.status == 0, "nothing read the fifo: \(written.stderr)")
        try await ServeDrainTests.waitForExit(host)
        #expect(host.process.terminationStatus == 0)
        let finished = try ServeLockTests.executions(workspace).first { $0["id"] as? String == id }
        #expect(finished?["status"] as? String == "COMPLETE")
    }
}
