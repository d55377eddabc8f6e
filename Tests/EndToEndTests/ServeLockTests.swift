import Foundation
import Testing

/// `allowSimultaneous="false"` between `conveyor serve` and `conveyor run` on one workspace: both
/// take the same lock (`.conveyor/locks/PROCESS.lock`), so neither runs a process the other runs.
/// Named pipes keep the first execution running until the test lets it finish.
@Suite("serve and run share the process lock", .serialized)
struct ServeLockTests {
    /// `exclusive`: a listener (`POST /exclusive`) → stop, which `conveyor run --input pipe` runs
    /// and which blocks reading `pipe` before it starts; `wait-pipe`: reads `fifo/in.fifo` with
    /// the disk connector, so a hosted execution of it stays INPROCESS until the fifo is written.
    static func workspace() throws -> String {
        let root = try Harness.workspace("serve-lock", files: [
            "processes/exclusive.xml": """
                <process id="exclusive">
                  <shapes>
                    <start id="start" next="done"><listener path="/exclusive"/></start>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "processes/wait-pipe.xml": """
                <process id="wait-pipe" allowSimultaneous="false">
                  <shapes>
                    <start id="start" next="done"><connector connection="fifo" operation="read-fifo"/></start>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "connectors/fifo.xml": #"<connection id="fifo" type="disk"><directory>fifo</directory></connection>"#,
            "connectors/read-fifo.xml":
                #"<operation id="read-fifo" type="disk" action="get"><filePattern>*.fifo</filePattern></operation>"#,
        ])
        try FileManager.default.createDirectory(atPath: root + "/fifo", withIntermediateDirectories: true)
        for pipe in [root + "/pipe", root + "/fifo/in.fifo"] {
            let made = try Harness.run("/usr/bin/mkfifo", [pipe])
            #expect(made.status == 0, "mkfifo: \(made.stderr)")
        }
        return root
    }

    static func answer(_ arguments: [String]) throws -> (status: Int, body: String) {
        let output = try ServeHost.curl(["-w", "\n%{http_code}"] + arguments)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    static func executions(_ workspace: String) throws -> [[String: Any]] {
        let listed = try Harness.conveyor(["executions", "list", "--workspace", workspace, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        return (try? Harness.json(listed.stdout) as? [[String: Any]]) ?? []
    }

    @Test("while serve runs the process, conveyor run of it exits 1 at once naming the running execution")
    func serveHoldsTheLock() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let accepted = try await ServeHost.curl(["-X", "POST", host.base + "/api/processes/wait-pipe/executions?wait=false"])
        let id = try #require((try Harness.json(accepted) as? [String: Any])?["id"] as? String, "answer: \(accepted)")
        var status: String?
        for _ in 0..<200 where status != "INPROCESS" {
            status = (try? Harness.json(try await ServeHost.curl([host.base + "/api/executions/" + id])) as? [String: Any])?["status"] as? String
            if status != "INPROCESS" { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(status == "INPROCESS", "the hosted execution waits on the fifo")

        // Bounded: without the shared lock the run would go ahead and wait on the fifo too.
        let refused = try await Harness.run("/usr/bin/timeout", ["-k", "5", "15", Harness.conveyor, "run", "wait-pipe", "--workspace", workspace])
        #expect(refused.status == 1, "exit \(refused.status): \(refused.stderr)")
        #expect(refused.stderr.contains("process 'wait-pipe' is already running"), "\(refused.stderr)")
        #expect(refused.stderr.contains("execution \(id)"), "names the running execution: \(refused.stderr)")
        // The lock file names the holding process; a cluster's lock names the host running it.
        let holder = WorkspaceStore.onPostgres ? "on host " : "pid \(host.process.processIdentifier)"
        #expect(refused.stderr.contains(holder), "\(refused.stderr)")
        #expect(refused.stderr.contains(WorkspaceStore.lockHolderText(workspace, processID: "wait-pipe")), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)

        let written = try await Harness.run("/usr/bin/timeout", ["-s", "KILL", "20", "sh", "-c", "printf '{\"n\":1}' > fifo/in.fifo"],
                                      in: workspace)
        #expect(written.status == 0, "nothing read the fifo: \(written.stderr)")
        for _ in 0..<200 where status == "INPROCESS" {
            status = (try? Harness.json(try await ServeHost.curl([host.base + "/api/executions/" + id])) as? [String: Any])?["status"] as? String
            if status == "INPROCESS" { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(status == "COMPLETE")
        #expect(try Self.executions(workspace).map { $0["id"] as? String } == [id], "the refused run recorded nothing")
        #expect(try await host.stop())
    }

    @Test("a host starting while conveyor run runs an execution leaves it INPROCESS, not ABORTED")
    func startingHostLeavesALiveRunAlone() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Harness.conveyor)
        run.arguments = ["run", "wait-pipe", "--workspace", workspace]
        run.environment = try Harness.environment(forWorkspace: workspace)
        run.standardOutput = FileHandle.nullDevice
        run.standardError = FileHandle.nullDevice
        try run.run()
        defer { if run.isRunning { run.terminate() } }
        var listed: [[String: Any]] = []
        for _ in 0..<200 where listed.isEmpty {
            listed = try Self.executions(workspace)
            if listed.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        let id = try #require(listed.first?["id"] as? String, "the run started no execution")

        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let body = try await ServeHost.curl([host.base + "/api/executions/" + id])
        #expect((try Harness.json(body) as? [String: Any])?["status"] as? String == "INPROCESS", "\(body)")
        #expect(!host.log.contains("marked ABORTED"), "\(host.log)")

        let written = try await Harness.run("/usr/bin/timeout", ["-s", "KILL", "20", "sh", "-c", "printf '{\"n\":1}' > fifo/in.fifo"],
                                      in: workspace)
        #expect(written.status == 0, "nothing read the fifo: \(written.stderr)")
        run.waitUntilExit()
        #expect(run.terminationStatus == 0)
        #expect(try Self.executions(workspace).first?["status"] as? String == "COMPLETE")
        #expect(try await host.stop())
    }

    @Test("while conveyor run runs the process, serve answers 409 to its listener and REST trigger and runs nothing")
    func runHoldsTheLock() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let first = Process()
        first.executableURL = URL(fileURLWithPath: Harness.conveyor)
        first.arguments = ["run", "exclusive", "--workspace", workspace, "--input", workspace + "/pipe"]
        first.environment = try Harness.environment(forWorkspace: workspace)
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { first.terminate() } }
        let deadline = Date().addingTimeInterval(10)
        while !WorkspaceStore.processLockHeld(workspace, processID: "exclusive"), Date() < deadline {
            try await Task.sleep(for: .milliseconds(25))
        }
        try #require(WorkspaceStore.processLockHeld(workspace, processID: "exclusive"), "the run took no lock")

        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let listener = try Self.answer(["-X", "POST", "--data-binary", "{\"n\":1}", host.base + "/exclusive"])
        #expect(listener.status == 409, "\(listener)")
        #expect(listener.body.contains("process 'exclusive' is already running"), "\(listener.body)")
        if WorkspaceStore.onSQLite {
            // The lock file names the holding process (the run records its execution only once its
            // input is read, so a cluster's lock has no execution to name yet).
            #expect(listener.body.contains("pid \(first.processIdentifier)"), "\(listener.body)")
        }
        let rest = try Self.answer(["-X", "POST", host.base + "/api/processes/exclusive/executions"])
        #expect(rest.status == 409, "\(rest)")
        let later = try Self.answer(["-X", "POST", host.base + "/api/processes/exclusive/executions?wait=false"])
        #expect(later.status == 409, "\(later)")
        #expect(host.log.contains("execution refused: the process is running in another command"), "\(host.log)")
        #expect(try Self.executions(workspace).isEmpty, "serve ran nothing")

        let written = try await Harness.run("/usr/bin/timeout", ["-s", "KILL", "20", "sh", "-c", "printf '{\"n\":2}' > pipe"], in: workspace)
        #expect(written.status == 0, "nothing read the pipe: \(written.stderr)")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let after = try Self.answer(["-X", "POST", "--data-binary", "{\"n\":3}", host.base + "/exclusive"])
        #expect(after.status == 200, "the lock is free once the run ended: \(after)")
        #expect(try Self.executions(workspace).count == 2)
        #expect(try await host.stop())
    }
}
