import Foundation
import Testing

/// A host killed during an execution: the restarted host marks the execution ABORTED.
@Suite struct ServeCrashTests {
    /// A process whose start shape reads `pipe/in.fifo`, a named pipe no one writes: opening it
    /// blocks, so the execution stays running until the host dies.
    static func workspace() throws -> String {
        let root = try Harness.temporaryDirectory("crash")
        try FileManager.default.createDirectory(atPath: root + "/connectors", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/processes", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/pipe", withIntermediateDirectories: true)
        try #"<connection id="pipe" type="disk"><directory>pipe</directory></connection>"#
            .write(toFile: root + "/connectors/pipe.xml", atomically: true, encoding: .utf8)
        try #"<operation id="read-pipe" type="disk" action="get"><filePattern>*.fifo</filePattern></operation>"#
            .write(toFile: root + "/connectors/read-pipe.xml", atomically: true, encoding: .utf8)
        try """
            <process id="wait-pipe" name="Wait for the pipe">
              <shapes>
                <start id="start" next="done"><connector connection="pipe" operation="read-pipe"/></start>
                <stop id="done"/>
              </shapes>
            </process>
            """.write(toFile: root + "/processes/wait-pipe.xml", atomically: true, encoding: .utf8)
        let fifo = try Harness.run("/usr/bin/mkfifo", [root + "/pipe/in.fifo"])
        #expect(fifo.status == 0, "mkfifo: \(fifo.stderr)")
        return root
    }

    static func status(_ base: String, _ id: String) throws -> String? {
        let body = try ServeHost.curl([base + "/api/executions/" + id])
        return (try? Harness.json(body) as? [String: Any])?["status"] as? String
    }

    @Test func aKilledHostsExecutionIsAbortedOnRestart() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let first = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"], logName: "first.log")
        defer { if first.process.isRunning { first.process.terminate() } }
        let accepted = try await ServeHost.curl(["-X", "POST", first.base + "/api/processes/wait-pipe/executions?wait=false"])
        let id = try #require((try Harness.json(accepted) as? [String: Any])?["id"] as? String, "answer: \(accepted)")
        var running: String?
        for _ in 0..<100 where running != "INPROCESS" {
            running = try Self.status(first.base, id)
            if running != "INPROCESS" { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(running == "INPROCESS")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try Self.status(first.base, id) == "INPROCESS", "the execution should still wait on the pipe")

        #expect(try await first.stop(signal: SIGKILL))
        #expect(first.process.terminationReason == .uncaughtSignal)

        let second = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth", "--retention", "90d"],
                                               logName: "second.log")
        defer { if second.process.isRunning { second.process.terminate() } }
        let body = try await ServeHost.curl([second.base + "/api/executions/" + id])
        let summary = try #require(try Harness.json(body) as? [String: Any])
        #expect(summary["status"] as? String == "ABORTED")
        #expect((summary["error"] as? String)?.contains("the host stopped (crash or kill)") == true)
        #expect(summary["endTime"] is String)
        for _ in 0..<100 where !second.log.contains("retention purge") { try await Task.sleep(for: .milliseconds(50)) }
        let restartLog = second.log
        // --retention purges on start; the aborted execution is recent, so it stays.
        #expect(restartLog.contains("executions=0"))
        #expect(restartLog.contains("retention=90d"))
        #expect(restartLog.contains("retention purge"))
        #expect(restartLog.contains("execution left unfinished by a previous host marked ABORTED"))
        #expect(restartLog.contains("execution=\(id)"))
        #expect(try await second.stop())
        #expect(second.process.terminationStatus == 0)

        // The ABORTED marking (record 1) and the purge's checkpoint (record 2) are in the audit chain.
        let verified = try await Harness.conveyor(["audit", "verify", "--workspace", workspace])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.hasPrefix("OK: 2 records verified, head 2 "), "\(verified.stdout)")
    }
}

/// `--retention` is checked before the host starts.
@Suite struct ServeRetentionOptionTests {
    @Test func aRetentionWithoutUnitIsRefused() throws {
        let workspace = try Harness.temporaryDirectory("retention")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let output = try Harness.conveyor(["serve", "--no-auth", "--retention", "90", "--workspace", workspace])
        #expect(output.status != 0)
        #expect(output.stderr.contains("--retention '90' must be a positive number and a unit"))
    }
}
