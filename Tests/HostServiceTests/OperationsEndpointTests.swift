import ExecutionStore
import Foundation
@testable import HostService
import Logging
import ProcessEngine
import ProcessModel
import Testing
import TestSupport

/// A connector whose operation passes documents on, except that a document `boom` makes it throw.
struct BoomConnector: Connector {
    let type = "boom"

    struct Failure: Error, CustomStringConvertible {
        var description: String { "boom" }
    }

    struct Operation: ConnectorOperation {
        func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
            if documents.contains(where: { $0.text == "boom" }) { throw Failure() }
            return OperationOutcome(outputs: documents)
        }
    }

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        Operation()
    }
}

/// `GET /healthz`, `GET /readyz` and `GET /metrics` on a real host in this process.
@Suite(.serialized) struct OperationsEndpointTests {
    let bearer = HostConfiguration(authentication: .bearer(token: "t0ken-secret"))
    let auth = ["Authorization": "Bearer t0ken-secret"]

    /// The test host's workspace plus `p` (listener `POST /p`: input → connector `write` → stop),
    /// whose execution is ERROR when its input is `boom`, and a process whose id needs escaping.
    static func workspace() -> Workspace {
        var workspace = TestHost.workspace(slowMilliseconds: 1_500)
        let here = TestHost.here
        for (id, listener) in [("p", "/p"), (#"we"ird\id"#, "/weird")] {
            workspace.processes[id] = TestHost.process(id, listener: listener, shapes: [
                TestHost.shape("start", .start(.input, next: "write")),
                TestHost.shape("write", .connector(connection: "boom", operation: "boom", next: "done")),
                TestHost.shape("done", .stop(continue: true)),
            ])
        }
        workspace.connections["boom"] = ConnectionDefinition(
            id: "boom", type: "boom", settings: SettingsElement(name: "connection", location: here), location: here)
        workspace.operations["boom"] = OperationDefinition(
            id: "boom", type: "boom", action: "send", settings: SettingsElement(name: "operation", location: here),
            location: here)
        return workspace
    }

    /// Runs a host of ``workspace()`` on a free port for the duration of `body`.
    static func withServer<T>(_ configuration: HostConfiguration,
                              _ body: (_ base: String, _ server: HostServer) async throws -> T) async throws -> T {
        let store = try TestHost.store()
        var configuration = configuration
        configuration.port = 0
        let runner = ProcessRunner(workspace: workspace(), connectors: ConnectorRegistry([SlowConnector(), BoomConnector()]),
                                   recorder: TestRecorder(store: store), environment: [:])
        let host = ExecutionHost(runner: runner, logger: Logger(label: "test"))
        let server = HostServer(configuration: configuration, host: host, store: store, logger: Logger(label: "test"))
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { port in continuation.yield(port) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body("http://127.0.0.1:\(port)", server)
    }

    /// `GET /metrics` read strictly; fails the test on any line that is not exposition format.
    func metrics(_ base: String) async throws -> PrometheusText {
        let answer = try await TestHost.request(base + "/metrics", headers: auth)
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let parsed = PrometheusText(answer.body)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)\n\(answer.body)")
        return parsed
    }

    @Test func healthAndReadinessAnswerWithoutCredentialsAndMetricsNeedThem() async throws {
        try await Self.withServer(bearer) { base, _ in
            let health = try await TestHost.request(base + "/healthz")
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            #expect(health.headers["content-type"] == "text/plain; charset=utf-8")
            let ready = try await TestHost.request(base + "/readyz")
            #expect(ready.status == 200)
            #expect(ready.body == "ok\n")
            let refused = try await TestHost.request(base + "/metrics")
            #expect(refused.status == 401)
            #expect(refused.headers["www-authenticate"] == "Bearer realm=\"conveyor\"")
            #expect(!refused.body.contains("conveyor_"))
            #expect(try await TestHost.request(base + "/metrics", headers: ["Authorization": "Bearer t0ken"]).status == 401)
            // Only GET of exactly those paths is open.
            #expect(try await TestHost.request(base + "/healthz", method: "POST", body: "x").status == 401)
            #expect(try await TestHost.request(base + "/healthz/x").status == 401)
            #expect(try await TestHost.request(base + "/readyz/").status == 401)
            let scraped = try await metrics(base)
            #expect(scraped.samples["conveyor_executions_running"] == 0)
            #expect(scraped.samples["conveyor_queue_depth"] == 0)
            #expect((scraped.samples["conveyor_host_uptime_seconds"] ?? -1) >= 0)
            #expect(scraped.types["conveyor_queue_depth"] == "gauge")
        }
    }

    @Test func metricsCountEachFinishedExecution() async throws {
        try await Self.withServer(bearer) { base, server in
            let complete = try await TestHost.request(base + "/p", method: "POST", body: "ok", headers: auth)
            #expect(complete.status == 200)
            let failed = try await TestHost.request(base + "/api/processes/p/executions", method: "POST", body: "boom",
                                                    headers: auth)
            #expect(failed.status == 200)
            #expect(failed.body.contains(#""status":"ERROR""#), "\(failed.body)")
            #expect(try await TestHost.request(base + "/weird", method: "POST", body: "ok", headers: auth).status == 200)

            let scraped = try await metrics(base)
            let samples = scraped.samples
            #expect(samples[#"conveyor_executions_total{process="p",status="COMPLETE"}"#] == 1, "\(samples)")
            #expect(samples[#"conveyor_executions_total{process="p",status="ERROR"}"#] == 1)
            #expect(samples[#"conveyor_execution_duration_seconds_count{process="p"}"#] == 2)
            #expect(samples[#"conveyor_execution_duration_seconds_bucket{process="p",le="+Inf"}"#] == 2)
            #expect(samples[#"conveyor_execution_duration_seconds_bucket{process="p",le="3600.0"}"#] == 2)
            #expect(samples[#"conveyor_execution_duration_seconds_bucket{process="p",le="0.01"}"#] != nil)
            #expect(samples[#"conveyor_retries_total{process="p"}"#] == 0)
            // Document counts are the sums over the stored records of the two executions.
            let records = try server.store.executions(matching: ExecutionQuery(processID: "p"))
            #expect(records.count == 2)
            for (kind, path) in [("in", \ExecutionRecord.documentsIn), ("out", \.documentsOut),
                                 ("failed", \.documentsError), ("dead_lettered", \.documentsDeadLettered)] {
                let stored = records.reduce(0) { $0 + $1[keyPath: path] }
                #expect(samples["conveyor_documents_total{process=\"p\",kind=\"\(kind)\"}"] == Double(stored), "\(kind)")
            }
            #expect(samples[#"conveyor_documents_total{process="p",kind="in"}"#] == 2)
            // Documents out of the connector shape: only the COMPLETE execution's document passed it.
            #expect(samples[#"conveyor_rows_written_total{process="p",shape="write"}"#] == 1)
            // A label value is escaped as the format requires (quote and backslash).
            #expect(samples[#"conveyor_executions_total{process="we\"ird\\id",status="COMPLETE"}"#] == 1,
                    "\(samples.keys.sorted())")
            for name in ["conveyor_executions_total", "conveyor_documents_total", "conveyor_rows_written_total",
                         "conveyor_retries_total"] {
                #expect(scraped.types[name] == "counter", "\(name)")
                #expect(scraped.help[name]?.isEmpty == false, "\(name)")
            }
            #expect(scraped.types["conveyor_execution_duration_seconds"] == "histogram")
        }
    }

    @Test func runningAndQueuedExecutionsAreGaugesAndTheQueueDepthCanBeProvided() async throws {
        try await Self.withServer(bearer) { base, server in
            let task = try #require(server.host.launch(processID: "slow", trigger: .manual))
            for _ in 0..<100 where server.host.counts.running == 0 { try await Task.sleep(for: .milliseconds(20)) }
            let during = try await metrics(base)
            #expect(during.samples["conveyor_executions_running"] == 1)
            server.host.metrics.setQueueDepthProvider { 7 }
            #expect(try await metrics(base).samples["conveyor_queue_depth"] == 7)
            server.host.metrics.setQueueDepthProvider(nil)
            _ = await task.value
            let after = try await metrics(base)
            #expect(after.samples["conveyor_executions_running"] == 0)
            #expect(after.samples["conveyor_queue_depth"] == 0)
            #expect(after.samples[#"conveyor_executions_total{process="slow",status="COMPLETE"}"#] == 1)
        }
    }

    @Test func readinessIs503WhileTheHostDrainsAndAnExecutionAbortedByTheDrainCountsOnce() async throws {
        var configuration = bearer
        configuration.gracePeriod = .milliseconds(200)
        try await Self.withServer(configuration) { base, server in
            let task = try #require(server.host.launch(processID: "slow", trigger: .manual))
            for _ in 0..<100 where server.host.counts.running == 0 { try await Task.sleep(for: .milliseconds(20)) }
            await HostLifecycle(server: server, scheduler: nil).drain()
            let ready = try await TestHost.request(base + "/readyz")
            #expect(ready.status == 503)
            #expect(ready.body == "not ready: the host is shutting down\n")
            #expect(try await TestHost.request(base + "/healthz").status == 200)
            let aborted = #"conveyor_executions_total{process="slow",status="ABORTED"}"#
            #expect(try await metrics(base).samples[aborted] == 1)
            _ = await task.value
            let after = try await metrics(base).samples
            #expect(after[aborted] == 1)
            #expect(after[#"conveyor_executions_total{process="slow",status="COMPLETE"}"#] == nil)
            #expect(after[#"conveyor_execution_duration_seconds_count{process="slow"}"#] == 1)
        }
    }

    @Test func readinessIs503WhenTheStoreCannotBeRead() async throws {
        try await Self.withServer(bearer) { base, server in
            #expect(try await TestHost.request(base + "/readyz").status == 200)
            try TestStore.execute("ALTER TABLE executions RENAME TO executions_moved;", on: server.store.path)
            let ready = try await TestHost.request(base + "/readyz")
            #expect(ready.status == 503)
            #expect(ready.body.hasPrefix("not ready: the execution store cannot be read (list executions: "), "\(ready.body)")
            #expect(!ready.body.contains(server.store.path), "no file path in the answer")
            #expect(try await TestHost.request(base + "/healthz").status == 200)
        }
    }

    @Test func scheduledExecutionsAndTheirRetriesAreCountedEach() async throws {
        let store = try TestHost.store()
        let schedule = ScheduleDefinition(cron: "*/15 * * * *", timezone: "UTC", retries: 2, location: TestHost.here)
        let host = TestHost.host(TestHost.workspace(schedules: [schedule], slowMilliseconds: 0), store: store)
        let scheduler = Scheduler(host: host, store: store, logger: Logger(label: "test"), retryDelay: .zero)
        let formatter = ISO8601DateFormatter()
        _ = try scheduler.tick(at: try #require(formatter.date(from: "2026-01-01T10:00:00Z")))
        let fired = try scheduler.tick(at: try #require(formatter.date(from: "2026-01-01T10:15:00Z")))
        for run in fired { _ = await run.task.value }
        let parsed = PrometheusText(String(decoding: host.metricsExposition(), as: UTF8.self))
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        // The scheduled execution of `fail` and its two retries, each ERROR; `slow` once.
        #expect(parsed.samples[#"conveyor_executions_total{process="fail",status="ERROR"}"#] == 3)
        #expect(parsed.samples[#"conveyor_executions_total{process="slow",status="COMPLETE"}"#] == 1)
        #expect(parsed.samples[#"conveyor_execution_duration_seconds_count{process="fail"}"#] == 3)
    }

    @Test func hostsInOneProcessKeepTheirOwnCounts() async throws {
        try await Self.withServer(bearer) { first, _ in
            try await Self.withServer(bearer) { (second: String, _: HostServer) async throws -> Void in
                #expect(try await TestHost.request(first + "/p", method: "POST", body: "ok", headers: auth).status == 200)
                let key = #"conveyor_executions_total{process="p",status="COMPLETE"}"#
                #expect(try await metrics(first).samples[key] == 1)
                #expect(try await metrics(second).samples[key] == nil)
            }
        }
    }
}
