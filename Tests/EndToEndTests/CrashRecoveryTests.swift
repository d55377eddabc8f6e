import Foundation
import Testing

/// `conveyor run` killed with SIGKILL mid-load and run again: the first execution is marked
/// ABORTED by the next command, no row is lost, and with exactly-once none is duplicated.
@Suite("crash recovery end to end", .serialized)
struct CrashRecoveryTests {
    /// Starts `conveyor run load` in the background.
    static func start(_ workspace: LoadWorkspace) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.conveyor)
        process.arguments = ["run", "load", "--workspace", workspace.root]
        process.environment = try Harness.environment(forWorkspace: workspace.root).merging(workspace.environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `ready` holds (polling), then kills `process` with SIGKILL.
    static func kill(_ process: Process, when ready: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline {
            if try ready() { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(process.isRunning, "the first run ended before it could be killed (make the input larger)")
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The killed execution: ABORTED (marked by the command that lists it), with the reason.
    static func expectAborted(_ workspace: LoadWorkspace) throws -> String {
        let executions = try workspace.executions()
        try #require(executions.count == 1, "\(executions)")
        let killed = executions[0]
        #expect(killed["status"] as? String == "ABORTED", "\(killed)")
        // On PostgreSQL the message also names a lost connection (the lease is the session's lock).
        let ended = WorkspaceStore.onPostgres ? "ended (crash, kill or lost connection) before the execution finished"
            : "ended (crash or kill) before the execution finished"
        #expect((killed["error"] as? String)?.contains(ended) == true, "\(killed["error"] ?? "nil")")
        #expect(killed["endTime"] != nil)
        return killed["id"] as? String ?? ""
    }

    @Test("insert-all: killed mid-load, marked ABORTED with the counts so far, re-run: every row at least once")
    func insertAllKilled() throws {
        let total = 60_000
        let workspace = try LoadWorkspace(batchCount: 500)
        try workspace.writeRows(total)
        let process = try Self.start(workspace)
        try Self.kill(process) {
            // Rows landed, and the running execution stored its counts (about once a second).
            let landed = Int(try workspace.bq(["count", workspace.table])
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            let counted = try workspace.executions().first?["documentsOut"] as? Int ?? 0
            return landed > 0 && counted > 0
        }
        let before = try workspace.idStats()
        #expect(before.rows > 0 && before.rows < total, "killed mid-load: \(before)")
        let killedID = try Self.expectAborted(workspace)
        try Self.expectCountsKept(workspace, killedID)

        let (output, execution) = try workspace.run()
        #expect(output.status == 0, "\(output.stderr)")
        #expect(execution["status"] as? String == "COMPLETE")
        #expect(execution["id"] as? String != killedID)
        let found = try workspace.idStats()
        #expect(found.distinct == total && found.lowest == 0 && found.highest == total - 1, "no row lost: \(found)")
        let statuses = try workspace.executions().compactMap { $0["status"] as? String }
        #expect(statuses == ["COMPLETE", "ABORTED"], "\(statuses)")
    }

    /// The ABORTED execution keeps the counts of what it did, consistent with its tracked documents.
    static func expectCountsKept(_ workspace: LoadWorkspace, _ id: String) throws {
        let shown = try Harness.conveyor(["executions", "show", id, "--workspace", workspace.root, "--json"])
        let record = try #require(try Harness.json(shown.stdout) as? [String: Any], "\(shown.stderr)")
        let documentsIn = record["documentsIn"] as? Int ?? 0, documentsOut = record["documentsOut"] as? Int ?? 0
        let tracked = (record["documents"] as? [[String: Any]])?.count ?? 0
        #expect(documentsIn > 0 && documentsOut > 0, "ABORTED keeps its counts: \(documentsIn) in, \(documentsOut) out")
        #expect(documentsOut <= documentsIn && documentsIn < 60_000)
        #expect(tracked >= documentsOut && tracked <= documentsIn,
                "\(tracked) tracked, \(documentsIn) in, \(documentsOut) out")
        let write = (record["shapes"] as? [[String: Any]])?.first { $0["shapeId"] as? String == "write" }
        #expect(write?["documentsOut"] as? Int == documentsOut, "\(write ?? [:])")
    }

    @Test("exactly-once storage-write: killed mid-stream, marked ABORTED, re-run: every row exactly once")
    func exactlyOnceKilled() throws {
        let total = 40_000
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 50)
        try workspace.writeRows(total)
        let process = try Self.start(workspace)
        try Self.kill(process) { WorkspaceStore.checkpointRows(workspace.root) > 0 }
        let before = try workspace.idStats()
        #expect(before.rows > 0 && before.rows < total, "killed mid-stream: \(before)")
        _ = try Self.expectAborted(workspace)

        let (output, execution) = try workspace.run()
        #expect(output.status == 0, "\(output.stderr)")
        #expect(execution["documentsError"] as? Int == 0)
        let found = try workspace.idStats()
        #expect(found.rows == total && found.distinct == total && found.lowest == 0 && found.highest == total - 1,
                "each row exactly once: \(found)")
    }

    @Test("exactly-once storage-write: re-run with larger requests from a checkpoint behind the stream: every row exactly once, the written count is what the table holds")
    func exactlyOnceLargerRequestsOverAShorterStream() throws {
        let total = 20_000
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 37)
        try workspace.writeRows(total)
        let process = try Self.start(workspace)
        try Self.kill(process) { WorkspaceStore.checkpointRows(workspace.root) > 0 }
        let before = try workspace.idStats()
        try #require(before.rows > 0 && before.rows < total, "killed mid-stream: \(before)")
        _ = try Self.expectAborted(workspace)
        // The killed run's appends were committed but its checkpoint is moved back to the start (as
        // when a run is killed before it saves one): the re-run sends from offset 0 again, in
        // requests of up to 10,000 rows, so its first request reaches past the end of the stream.
        let reset = try WorkspaceStore.sql(workspace.root, "UPDATE write_checkpoints SET next_offset = 0, rows_done = 0; "
            + "SELECT COUNT(*) FROM write_checkpoints WHERE stream != ''")
        try #require(reset.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(reset.stdout) \(reset.stderr)")
        let operation = workspace.root + "/connectors/write.xml"
        let settings = try String(contentsOfFile: operation, encoding: .utf8)
        try settings.replacingOccurrences(of: "<batchCount>37</batchCount>", with: "<batchCount>10000</batchCount>")
            .write(toFile: operation, atomically: true, encoding: .utf8)

        let (output, execution) = try workspace.run()
        #expect(output.status == 0, "\(output.stderr)")
        let summary = "\(execution["status"] ?? "nil"), \(execution["documentsOut"] ?? "nil") out, \(execution["error"] ?? "")"
        #expect(execution["documentsError"] as? Int == 0, "\(summary)")
        // What the execution reports written is what the table holds.
        #expect(execution["documentsOut"] as? Int == total, "\(summary)")
        let found = try workspace.idStats()
        #expect(found.rows == total && found.distinct == total && found.lowest == 0 && found.highest == total - 1,
                "each row exactly once (the stream held \(before.rows) before): \(found)")
    }

    @Test("a running execution is not marked ABORTED by another command")
    func runningIsLeftAlone() throws {
        let workspace = try LoadWorkspace(batchCount: 500)
        try workspace.writeRows(60_000)
        let process = try Self.start(workspace)
        defer { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        var listed: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            listed = try workspace.executions()
            if !listed.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        try #require(process.isRunning && !listed.isEmpty, "the run ended before it could be listed")
        #expect(listed.first?["status"] as? String == "INPROCESS", "\(listed)")
        process.waitUntilExit()
        #expect(try workspace.executions().first?["status"] as? String == "COMPLETE")
    }
}
