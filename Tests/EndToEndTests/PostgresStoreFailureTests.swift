import Foundation
import Testing
import TestSupport

/// The PostgreSQL store failing under a run or a host: its disk full, its server gone for longer
/// than anything waits. As on SQLite, an execution whose records could not be written is never
/// COMPLETE, every document recorded as tracked was written, and a host outlives the outage.
/// Each test has a server or tablespace of its own, so the suite runs once (in the SQLite pass).
@Suite("a PostgreSQL store failing end to end", .serialized,
       .enabled(if: WorkspaceStore.onSQLite, "each test makes its own PostgreSQL database; once is enough"))
struct PostgresStoreFailureTests {
    /// `in/rows.jsonl` with `total` rows for `StoreFailureTests.trackedCopyWorkspace()`.
    static func copyWorkspace(rows total: Int) throws -> String {
        let workspace = try StoreFailureTests.trackedCopyWorkspace()
        var rows = ""
        for id in 0..<total { rows += #"{"id": "\#(id)", "payload": "row-\#(id)-abcdefghijklmnopqrstuvwxyz0123456789"}"# + "\n" }
        try rows.write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: workspace + "/out", withIntermediateDirectories: true)
        return workspace
    }

    static func executions(_ workspace: String, store: String) throws -> [[String: Any]] {
        let listed = try Harness.conveyor(["executions", "list", "--workspace", workspace, "--store", store, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        return (try? Harness.json(listed.stdout) as? [[String: Any]]) ?? []
    }

    /// "Reported written is there": every row id the store tracked was appended to the output file.
    /// Returns how many the store tracked.
    @discardableResult
    static func expectTrackedRowsWritten(_ workspace: String, store: String) throws -> Int {
        let export = try Harness.conveyor(["tracked", "export", "--format", "jsonl", "--workspace", workspace, "--store", store])
        #expect(export.status == 0, "\(export.stderr)")
        func objects(_ text: String) -> [[String: Any]] {
            text.split(whereSeparator: \.isNewline).compactMap { line in
                try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }
        }
        let written = Set(objects((try? String(contentsOfFile: workspace + "/out/rows.jsonl", encoding: .utf8)) ?? "")
            .compactMap { $0["id"] as? String })
        let tracked = objects(export.stdout).filter { $0["field"] as? String == "rowId" }.compactMap { $0["value"] as? String }
        let missing = tracked.filter { !written.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) of \(tracked.count) tracked rows are not in the output, such as \(missing.prefix(5))")
        return tracked.count
    }

    @Test func aFullDiskUnderTheDatabaseFailsTheRunAndNeverLeavesItComplete() throws {
        let server = try #require(TestPostgres.serverURL(in: ProcessInfo.processInfo.environment), "CONVEYOR_TEST_POSTGRES is not set")
        let total = 60_000
        let workspace = try Self.copyWorkspace(rows: total)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        // A tablespace on a 16 MiB file system: the new database's catalog takes about half of it,
        // the run's documents and tracked values the rest.
        let space = try Harness.temporaryDirectory("pg-full")
        defer { try? FileManager.default.removeItem(atPath: space) }
        let owner = try Harness.run("/usr/bin/id", ["-u", "postgres"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let mounted = try Harness.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700,uid=\(owner),gid=\(owner)", "tmpfs", space])
        try #require(mounted.status == 0, "this test needs root to mount a small tmpfs: \(mounted.stderr)")
        defer { _ = try? Harness.run("/usr/bin/umount", [space]) }
        let name = "full_" + UUID().uuidString.prefix(8).lowercased()
        _ = try TestPostgres.psql(server, "CREATE TABLESPACE \(name) LOCATION '\(space)'")
        defer { _ = try? TestPostgres.psql(server, "DROP TABLESPACE IF EXISTS \(name)") }
        _ = try TestPostgres.psql(server, "CREATE DATABASE \(name) TABLESPACE \(name)")
        let store = String(server[..<(server.lastIndex(of: "/") ?? server.endIndex)]) + "/" + name
        defer { _ = try? TestPostgres.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }

        let run = try Harness.conveyor(["run", "copy", "--workspace", workspace, "--store", store])
        #expect(run.status == 1, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        let said = run.stdout + run.stderr
        #expect(said.contains("No space left on device") || said.contains("53100"), "names the store error: \(said)")
        #expect(!said.contains("COMPLETE"), "\(said)")

        // Room again, so the next command can write what the full store could not.
        let grown = try Harness.run("/usr/bin/mount", ["-o", "remount,size=256m", space])
        try #require(grown.status == 0, "\(grown.stderr)")
        let listed = try Self.executions(workspace, store: store)
        try #require(listed.count == 1, "\(listed)")
        let status = listed[0]["status"] as? String
        #expect(status == "ERROR" || status == "ABORTED", "never COMPLETE, never left INPROCESS: \(listed[0])")
        #expect((listed[0]["documentsIn"] as? Int ?? total) < total, "documents that cannot be tracked are not sent on")
        let tracked = try Self.expectTrackedRowsWritten(workspace, store: store)
        #expect(tracked > 0, "the run recorded documents before the disk filled: \(tracked) tracked")
        let verify = try Harness.conveyor(["audit", "verify", "--workspace", workspace, "--store", store])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func theServerGoneMidRunFailsTheRunClearlyAndTheNextCommandMarksItAborted() throws {
        let server = try PrivatePostgres()
        defer { server.remove() }
        let total = 300_000
        let workspace = try Self.copyWorkspace(rows: total)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Harness.conveyor)
        run.arguments = ["run", "copy", "--workspace", workspace, "--store", server.url]
        run.environment = try Harness.environment(forWorkspace: workspace)
        let output = Pipe()
        run.standardOutput = output
        run.standardError = output
        try run.run()
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL); run.waitUntilExit() } }
        // Stopped (immediately, as a crash would) once the run has recorded some documents.
        let deadline = Date().addingTimeInterval(60)
        var recorded = 0
        while run.isRunning, Date() < deadline, recorded < 2_000 {
            Thread.sleep(forTimeInterval: 0.05)
            recorded = Int((try? TestPostgres.psql(server.url, "SELECT count(*) FROM documents")) ?? "") ?? 0
        }
        try #require(run.isRunning && recorded >= 2_000, "the run ended before the server could be stopped")
        try server.stop()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 1, "\(said)")
        #expect(said.contains("127.0.0.1:\(server.port)"), "names the store it lost: \(said)")
        #expect(!said.contains("COMPLETE"), "\(said)")
        #expect(!said.contains(server.url + "?"), "\(said)")

        // Longer than any retry: the server comes back only now.
        try server.start()
        let listed = try Self.executions(workspace, store: server.url)
        try #require(listed.count == 1, "\(listed)")
        #expect(listed[0]["status"] as? String == "ABORTED", "its command is gone: \(listed[0])")
        #expect((listed[0]["documentsIn"] as? Int ?? total) < total)
        let tracked = try Self.expectTrackedRowsWritten(workspace, store: server.url)
        #expect(tracked >= 500, "what was recorded is still there: \(tracked) tracked of \(recorded) document records")
        let verify = try Harness.conveyor(["audit", "verify", "--workspace", workspace, "--store", server.url])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func aHostOutlivesTheServerBeingGoneLongerThanItsHostTimeout() async throws {
        let server = try PrivatePostgres()
        defer { server.remove() }
        let workspace = try Self.copyWorkspace(rows: 10)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let host = try await ServeHost.start(workspace: workspace, arguments: [
            "--no-auth", "--host-id", "h1", "--heartbeat", "1s", "--host-timeout", "3s", "--store", server.url])
        defer { if host.process.isRunning { host.process.terminate() } }
        func trigger() async throws -> String {
            try await offloaded { try ServeHost.curl(["-w", "\n%{http_code}", "-X", "POST", host.base + "/api/processes/copy/executions"]) }
        }
        func ready() async throws -> String {
            try await offloaded { try ServeHost.curl(["-w", "%{http_code}", "-o", "/dev/null", host.base + "/readyz"]) }
        }
        #expect(try await trigger().contains("\"COMPLETE\""))
        #expect(try await ready() == "200")

        try await offloaded { try server.stop() }
        // While it is gone: answered at once, with the reason, never a hang or a COMPLETE.
        let refused = try await trigger()
        #expect(!refused.contains("\"COMPLETE\""), "\(refused)")
        #expect(refused.hasSuffix("500") || refused.hasSuffix("503") || refused.contains("\"ERROR\""), "\(refused)")
        #expect(try await ready() == "503")
        try await Task.sleep(for: .seconds(5))
        #expect(host.process.isRunning, "the host outlives the outage: \(host.log)")

        try await offloaded { try server.start() }
        var answer = ""
        for _ in 0..<50 {
            answer = try await trigger()
            if answer.contains("\"COMPLETE\"") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(answer.contains("\"COMPLETE\""), "works again once the server is back: \(answer)\n\(host.log)")
        #expect(try await ready() == "200")
        let hosts = try await offloaded { try ServeHost.curl([host.base + "/api/hosts"]) }
        #expect(hosts.contains("\"h1\""), "\(hosts)")
        let statuses = try await offloaded { try Self.executions(workspace, store: server.url).map { $0["status"] as? String ?? "" } }
        #expect(!statuses.contains("INPROCESS"), "\(statuses)")
        #expect(try await host.stop())
        let log = host.log
        #expect(!log.contains(server.url + "?"), "\(log)")
        // The outage is a line or two in the log, in words, and its end is logged too.
        #expect(log.contains("127.0.0.1:\(server.port): connection refused"), "\(log)")
        #expect(log.components(separatedBy: "could not take queued work").count <= 2, "\(log)")
        #expect(log.components(separatedBy: "cluster heartbeat failed").count <= 2, "\(log)")
        #expect(log.contains("the execution store answers again"), "\(log)")
    }
}

/// A PostgreSQL server of one test's own (scripts/postgres.sh), which the test can stop as a crash
/// would and start again on the same port.
final class PrivatePostgres: Sendable {
    let directory: String
    let url: String
    let port: String
    private static let bin = "/usr/lib/postgresql/15/bin"

    init() throws {
        directory = try Harness.temporaryDirectory("pg-private")
        let started = try Self.detached([Harness.packageRoot + "/scripts/postgres.sh", "start", directory])
        guard started.status == 0, let line = started.stdout.split(separator: "\n").last(where: { $0.contains("postgres://") }),
              let equals = line.firstIndex(of: "=") else {
            throw ServeHost.ServeError(message: "scripts/postgres.sh start failed: \(started.stderr)")
        }
        let server = String(line[line.index(after: equals)...])
        port = String(server.split(separator: ":").last?.prefix { $0.isNumber } ?? "")
        url = String(server[..<(server.lastIndex(of: "/") ?? server.endIndex)]) + "/postgres"
    }

    /// Runs a command that may start the server, with every descriptor but 0-2 closed first: the
    /// server outlives the command, and Foundation's `Process` waits until no process holds the
    /// descriptors it passed down, so a server keeping one would make it wait forever.
    private static func detached(_ command: [String], in directory: String? = nil) throws -> Harness.Output {
        try Harness.run("/bin/bash", ["-c", #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done; exec "$@""#,
                                      "detached"] + command, in: directory)
    }

    /// Runs `pg_ctl` as the server's user.
    private func pgctl(_ arguments: [String]) throws {
        let command = [Self.bin + "/pg_ctl", "-D", directory + "/data"] + arguments
        let ran = try Self.detached(getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + command : command, in: directory)
        guard ran.status == 0 else { throw ServeHost.ServeError(message: "pg_ctl \(arguments): \(ran.stdout)\(ran.stderr)") }
    }

    /// Stops the server at once, as a crash would (`-m immediate`).
    func stop() throws { try pgctl(["stop", "-m", "immediate", "-w"]) }

    /// Starts the server again on its port.
    func start() throws { try pgctl(["start", "-w", "-t", "60", "-l", directory + "/postgres.log", "-o", "-p \(port)"]) }

    func remove() {
        _ = try? Harness.run(Harness.packageRoot + "/scripts/postgres.sh", ["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
