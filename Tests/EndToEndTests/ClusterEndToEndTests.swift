import Foundation
import Testing
import TestSupport

/// Three `conveyor serve` hosts on one PostgreSQL store.
@Suite struct ClusterEndToEndTests {
    static func process(id: String, simultaneous: Bool) -> String {
        """
        <process id="\(id)" name="\(id)" allowSimultaneous="\(simultaneous)">
          <shapes>
            <start id="start" next="reply">
              <listener path="/\(id)" method="POST"/>
            </start>
            <message id="reply" next="done">
              <text>{{"ok": true}}</text>
            </message>
            <returnDocuments id="done"/>
          </shapes>
        </process>
        """
    }

    static func startHosts(_ count: Int, workspace: String, store: String) async throws -> [ServeHost] {
        var hosts: [ServeHost] = []
        for index in 1...count {
            hosts.append(try await ServeHost.start(
                workspace: workspace,
                arguments: ["--no-auth", "--host-id", "h\(index)", "--workers", "2", "--heartbeat", "1s",
                            "--host-timeout", "3s", "--store", store],
                logName: "h\(index).log"))
        }
        return hosts
    }

    @Test func thousandQueuedTriggersRunOnceAcrossHostsAndAKilledHostsWorkIsTakenOver() async throws {
        let workspace = try Harness.temporaryDirectory("cluster")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try FileManager.default.createDirectory(atPath: workspace + "/processes", withIntermediateDirectories: true)
        try Self.process(id: "tick", simultaneous: true)
            .write(toFile: workspace + "/processes/tick.xml", atomically: true, encoding: .utf8)
        let store = try TestPostgres.createDatabase(prefix: "cluster")
        defer { TestPostgres.dropDatabase(store) }
        let hosts = try await Self.startHosts(3, workspace: workspace, store: store)
        defer { for host in hosts where host.process.isRunning { host.process.terminate() } }

        var queued: Set<String> = []
        for index in 0..<1_000 {
            // Requests go to every host, and after h2 is killed to the two others.
            let target = index <= 500 ? hosts[index % 3] : hosts[index % 2 == 0 ? 0 : 2]
            let answer = try await offloaded { try ServeHost.curl(["-X", "POST", target.base + "/api/processes/tick/executions?wait=false"]) }
            let body = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any], "\(answer)")
            #expect(body["status"] as? String == "QUEUED")
            queued.insert(try #require(body["id"] as? String))
            if index == 500 { try await hosts[1].stop(signal: SIGKILL) }
        }
        #expect(queued.count == 1_000)
        // The survivors drain the queue and mark what the killed host left.
        let deadline = Date().addingTimeInterval(120)
        var left = ""
        repeat {
            try await Task.sleep(for: .milliseconds(500))
            left = try await offloaded { try TestPostgres.psql(store, "SELECT (SELECT COUNT(*) FROM work_queue) || ',' || "
                + "(SELECT COUNT(*) FROM executions WHERE status = 'INPROCESS')") }
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } while left != "0,0" && Date() < deadline
        #expect(left == "0,0", "queue, INPROCESS: \(left)")

        let rows = try await offloaded { try TestPostgres.psql(store, "SELECT id, status, COALESCE(host, '') FROM executions") }
            .split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        let ids = rows.map { $0[0] }
        // Every queued trigger has exactly one execution record; none ran twice.
        #expect(ids.count == Set(ids).count)
        #expect(Set(ids) == queued)
        let statuses = Dictionary(grouping: rows, by: { $0[1] }).mapValues(\.count)
        #expect((statuses["COMPLETE"] ?? 0) + (statuses["ABORTED"] ?? 0) == 1_000, "\(statuses)")
        // An execution the killed host had started is ABORTED; every host ran some.
        #expect(rows.filter { $0[1] == "ABORTED" }.allSatisfy { $0[2] == "h2" })
        #expect(Set(rows.map { $0[2] }) == ["h1", "h2", "h3"])
        let hostsAnswer = try await offloaded { try ServeHost.curl([hosts[0].base + "/api/hosts"]) }
        #expect(hostsAnswer.contains(#""id":"h2""#) && hostsAnswer.contains(#""state":"dead""#), "\(hostsAnswer)")
        // Process Reporting shows the same hosts, and the executions of one host.
        let hostsPage = try await offloaded { try ServeHost.curl([hosts[0].base + "/reporting/hosts"]) }
        #expect(hostsPage.components(separatedBy: "<tr class=\"host\">").count == 4, "\(hostsPage)")
        #expect(hostsPage.contains("status-dead"))
        #expect(hostsPage.contains(">h1</a> <span class=\"muted\">(this host)</span>"))
        let h3Page = try await offloaded { try ServeHost.curl([hosts[0].base + "/reporting/executions?host=h3"]) }
        let h3Cell = "<td class=\"mono host\"><a href=\"/reporting/executions?host=h3\">h3</a></td>"
        #expect(h3Page.contains(h3Cell), "\(h3Page)")
        #expect(!h3Page.contains("<td class=\"mono host\"><a href=\"/reporting/executions?host=h1\">"))
        // The chain written by three hosts at once verifies.
        let verify = try await offloaded { try Harness.run(Harness.conveyor, ["audit", "verify", "--workspace", workspace, "--store", store]) }
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        for host in hosts where host.process.isRunning { try await host.stop() }
    }

    @Test func allowSimultaneousFalseHoldsAcrossHostsAndTheCommandLine() async throws {
        let workspace = try Harness.temporaryDirectory("cluster-lock")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try FileManager.default.createDirectory(atPath: workspace + "/processes", withIntermediateDirectories: true)
        try Self.process(id: "only", simultaneous: false)
            .write(toFile: workspace + "/processes/only.xml", atomically: true, encoding: .utf8)
        let store = try TestPostgres.createDatabase(prefix: "clusterlock")
        defer { TestPostgres.dropDatabase(store) }
        // Hold the process's cluster lock as another host would.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: TestPostgres.psqlPath)
        holder.arguments = [store, "-c", "SELECT pg_advisory_lock(hashtextextended('conveyor.process:only', 0)); SELECT pg_sleep(600)"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        // Create the schema first (the lock holder needs none, but the CLI below does).
        _ = try await offloaded { try Harness.run(Harness.conveyor, ["executions", "list", "--workspace", workspace, "--store", store]) }
        try holder.run()
        defer { holder.terminate() }
        // Wait until the holder has the lock (psql may take a while to connect on a loaded machine).
        for _ in 0..<200 {
            let held = try await offloaded { try TestPostgres.psql(store, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") }
            if held.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let hosts = try await Self.startHosts(1, workspace: workspace, store: store)
        defer { for host in hosts where host.process.isRunning { host.process.terminate() } }
        let refused = try await offloaded { try Harness.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                                        hosts[0].base + "/api/processes/only/executions"]) }.stdout
        #expect(refused == "409")
        let run = try await offloaded { try Harness.run(Harness.conveyor, ["run", "only", "--workspace", workspace, "--store", store]) }
        #expect(run.status == 1)
        #expect(run.stderr.contains("process 'only' is already running (another command or host of the cluster holds its lock)"),
                "\(run.stderr)")
        // The holder's session ends (as when its host dies): the lock goes with it.
        _ = try await offloaded { try TestPostgres.psql(store, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()") }
        holder.waitUntilExit()
        let ran = try await offloaded { try Harness.run(Harness.conveyor, ["run", "only", "--workspace", workspace, "--store", store]) }
        #expect(ran.status == 0, "\(ran.stderr)")
        try await hosts[0].stop()
    }

    @Test func anExactlyOnceWriteKilledOnOneHostIsResumedByAnotherWithEveryRowOnce() async throws {
        let total = 40_000
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 50)
        defer { try? FileManager.default.removeItem(atPath: workspace.root) }
        try workspace.writeRows(total)
        let store = try TestPostgres.createDatabase(prefix: "clusterwrite")
        defer { TestPostgres.dropDatabase(store) }
        func arguments(_ id: String) -> [String] {
            ["--no-auth", "--host-id", id, "--workers", "1", "--heartbeat", "1s", "--host-timeout", "3s", "--store", store]
        }
        let first = try await ServeHost.start(workspace: workspace.root, arguments: arguments("h1"),
                                              environment: workspace.environment, logName: "h1.log")
        defer { if first.process.isRunning { first.process.terminate() } }
        // Hold the host mid-stream, whatever the machine's speed: once a checkpoint with rows is
        // saved, the next save waits inside its transaction (so the execution cannot end), and the
        // host is killed there, with rows beyond the saved checkpoint possibly appended already.
        _ = try await offloaded { try TestPostgres.psql(store, """
            CREATE FUNCTION hold_second_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF OLD.rows_done > 0 THEN PERFORM pg_sleep(600); END IF; RETURN NEW; END $$;
            CREATE TRIGGER hold_second_checkpoint BEFORE UPDATE ON write_checkpoints
            FOR EACH ROW EXECUTE FUNCTION hold_second_checkpoint();
            """) }
        let queued = try await offloaded { try ServeHost.curl(["-X", "POST", first.base + "/api/processes/load/executions?wait=false"]) }
        #expect(queued.contains("QUEUED"), "\(queued)")
        var held = ""
        let deadline = Date().addingTimeInterval(120)
        while first.process.isRunning, Date() < deadline, held != "1" {
            try await Task.sleep(for: .milliseconds(100))
            // This database's sessions only: other tests on the server sleep too.
            held = try await offloaded { try TestPostgres.psql(store, "SELECT count(*) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND wait_event = 'PgSleep'") }
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try #require(held == "1", "the host never reached its second checkpoint")
        try await first.stop(signal: SIGKILL)
        // The held save's server session outlives its killed client until ended; the trigger goes too.
        // (Ended first: dropping the trigger waits for the held save's table lock.)
        _ = try await offloaded { try TestPostgres.psql(store, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND wait_event = 'PgSleep'") }
        _ = try await offloaded { try TestPostgres.psql(store, "DROP TRIGGER hold_second_checkpoint ON write_checkpoints") }
        let before = try await offloaded { try workspace.idStats() }
        #expect(before.rows > 0 && before.rows < total, "killed mid-stream: \(before)")

        // Another host takes over: the lost execution is marked ABORTED, then runs the process again.
        let second = try await ServeHost.start(workspace: workspace.root, arguments: arguments("h2"),
                                               environment: workspace.environment, logName: "h2.log")
        defer { if second.process.isRunning { second.process.terminate() } }
        var marked = ""
        for _ in 0..<200 where marked != "ABORTED|h1" {
            marked = try await offloaded { try TestPostgres.psql(store, "SELECT status || '|' || COALESCE(host, '') FROM executions") }
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(marked == "ABORTED|h1")
        let answer = try await offloaded { try ServeHost.curl(["--max-time", "120", "-X", "POST", second.base + "/api/processes/load/executions"]) }
        let resumed = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any], "\(answer)")
        #expect(resumed["status"] as? String == "COMPLETE", "\(answer)")
        #expect(resumed["host"] as? String == "h2")
        let found = try await offloaded { try workspace.idStats() }
        #expect(found.rows == total && found.distinct == total && found.lowest == 0 && found.highest == total - 1,
                "each row exactly once: \(found)")
        try await second.stop()
    }
}

/// Runs blocking work (a command, psql, curl) on a thread of its own, so that the tests' task pool
/// (as many threads as cores) stays free for the in-process hosts of other suites.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
