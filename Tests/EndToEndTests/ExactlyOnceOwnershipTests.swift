import ExecutionStore
import Foundation
import Testing

/// Exactly-once storage-write checkpoints belong to one execution: two executions of a process at
/// once never share a stream (the second is refused), and a checkpoint never goes backwards, even
/// when a run is killed while it skips the rows an earlier run wrote.
@Suite("exactly-once ownership end to end", .serialized)
struct ExactlyOnceOwnershipTests {
    /// A `conveyor run load --json` started in the background, its output going to files.
    final class Background {
        let process = Process()
        let directory: String
        init(_ workspace: LoadWorkspace, environment: [String: String]) throws {
            directory = try Harness.temporaryDirectory("background")
            FileManager.default.createFile(atPath: directory + "/out", contents: nil)
            FileManager.default.createFile(atPath: directory + "/err", contents: nil)
            process.executableURL = URL(fileURLWithPath: Harness.conveyor)
            process.arguments = ["run", "load", "--workspace", workspace.root, "--json"]
            process.environment = try Harness.environment(forWorkspace: workspace.root).merging(workspace.environment) { _, new in new }
                .merging(environment) { _, new in new }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/out"))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/err"))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Waits for the end; the exit status, the execution JSON and stderr.
        func wait() -> (status: Int32, execution: [String: Any], stderr: String) {
            process.waitUntilExit()
            let stdout = (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
            return (process.terminationStatus, (try? Harness.json(stdout) as? [String: Any]) ?? [:], stderr)
        }

        func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Waits at least 0.3 s, and until an execution owns the write checkpoint with its stream (so the
    /// next one starts while the first one writes, however loaded the machine is).
    static func waitForOwner(_ workspace: LoadWorkspace) throws {
        Thread.sleep(forTimeInterval: 0.3)
        let deadline = Date().addingTimeInterval(60)
        var store: ExecutionStore?
        while Date() < deadline {
            if store == nil { store = WorkspaceStore.open(workspace.root) }
            if let stream = try? store?.writeCheckpoint(processID: "load", destination: "demo." + workspace.table)?.stream,
               !stream.isEmpty { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("no execution took the write checkpoint within 60 s")
    }

    /// Rows and distinct ids in `lo..<hi`.
    static func rows(_ workspace: LoadWorkspace, from lo: Int, to hi: Int) throws -> (rows: Int, distinct: Int) {
        let text = try workspace.bq(["query-rows", "SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM demo.\(workspace.table) "
                                     + "WHERE id >= \(lo) AND id < \(hi)"])
        let row = try #require(try Harness.jsonLines(text).first)
        func int(_ key: String) -> Int { (row[key] as? Int) ?? Int("\(row[key] ?? "")") ?? -1 }
        return (int("n"), int("d"))
    }

    @Test("two runs of one exactly-once process 0.3 s apart: the second is refused at once, every row reported written is in the table once")
    func simultaneousRuns() throws {
        let total = 30_000
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 100,
                                          allowSimultaneous: true, inboxFromEnvironment: true)
        try workspace.writeRows(total, first: 0, folder: "in-a")
        try workspace.writeRows(total, first: total, folder: "in-b")
        let first = try Background(workspace, environment: ["INBOX": "in-a"])
        try Self.waitForOwner(workspace)
        try #require(first.process.isRunning, "the first run ended before the second started (make the input larger)")
        let second = try Background(workspace, environment: ["INBOX": "in-b"])
        let results = [first.wait(), second.wait()]
        var refused = 0
        for (index, result) in results.enumerated() {
            let execution = result.execution
            let range = (index * total, (index + 1) * total)
            let found = try Self.rows(workspace, from: range.0, to: range.1)
            let written = execution["documentsOut"] as? Int ?? -1
            // Whatever an execution reports written is in the table, each row once.
            #expect(found.rows == found.distinct, "run \(index): no row twice: \(found)")
            #expect(found.distinct >= written, "run \(index) reports \(written) written, the table holds \(found)")
            if execution["status"] as? String == "COMPLETE" {
                #expect(result.status == 0)
                #expect(written == total && found.rows == total, "run \(index): \(found), \(execution)")
            } else {
                refused += 1
                #expect(result.status == 1)
                #expect(execution["status"] as? String == "ERROR")
                #expect(written == 0 && found.rows == 0, "run \(index): refused, nothing written: \(found)")
                let error = execution["error"] as? String ?? ""
                #expect(error.contains("refused") && error.contains("is still running"), "\(error)")
            }
        }
        // The two overlapped (the first takes seconds): exactly one was refused, the later one.
        #expect(refused == 1, "\(results.map { $0.execution["status"] ?? "nil" })")
        #expect(results[1].execution["status"] as? String == "ERROR")
        // Refused at once: its first failures were recorded while the first run was still writing
        // (recording 30,000 failures may well take longer than writing 30,000 rows, so when the
        // refused run ended says nothing).
        let store = try ExecutionStore(path: try WorkspaceStore.location(workspace.root))
        let refusedID = try #require(results[1].execution["id"] as? String)
        let firstFailure = try #require(try store.documents(executionID: refusedID).map(\.recordedAt).min())
        let firstID = try #require(results[0].execution["id"] as? String)
        let firstEnded = try #require(try store.execution(id: firstID)?.endTime)
        #expect(firstFailure < firstEnded, "the refused run recorded its first failure at \(firstFailure), after the other ended (\(firstEnded))")
        // The finished run removed its checkpoint; the refused one never touched it.
        #expect(try store.writeCheckpoint(processID: "load", destination: "demo." + workspace.table) == nil)
    }

    @Test("conveyor serve and conveyor run of one exactly-once process at once: the later one is refused, every row reported written is in the table once")
    func serveAndRun() async throws {
        // Large enough that the served run still owns the checkpoint when the run starts, on a
        // loaded machine too (with 30,000 rows it sometimes ended in between, and both ran).
        let total = 100_000
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 100,
                                          allowSimultaneous: true, inboxFromEnvironment: true)
        try workspace.writeRows(total, first: 0, folder: "in-a")
        try workspace.writeRows(total, first: total, folder: "in-b")
        let host = try await ServeHost.start(workspace: workspace.root, arguments: ["--no-auth"],
                                             environment: workspace.environment.merging(["INBOX": "in-a"]) { $1 })
        defer { if host.process.isRunning { host.process.terminate() } }
        let accepted = try await ServeHost.curl(["-X", "POST", host.base + "/api/processes/load/executions?wait=false"])
        let id = try #require((try Harness.json(accepted) as? [String: Any])?["id"] as? String, "answer: \(accepted)")
        try Self.waitForOwner(workspace)
        let running = (try? Harness.json(try await ServeHost.curl([host.base + "/api/executions/" + id])) as? [String: Any])?["status"]
        try #require(running as? String == "INPROCESS", "the served execution ended before the run started (make the input larger)")
        let run = try Background(workspace, environment: ["INBOX": "in-b"])
        let ran = run.wait()
        var served: [String: Any] = [:]
        for _ in 0..<1_200 {
            served = (try? Harness.json(try await ServeHost.curl([host.base + "/api/executions/" + id])) as? [String: Any]) ?? [:]
            if let status = served["status"] as? String, status != "INPROCESS" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        var refused = 0
        for (index, execution) in [served, ran.execution].enumerated() {
            let found = try Self.rows(workspace, from: index * total, to: (index + 1) * total)
            let written = execution["documentsOut"] as? Int ?? -1
            #expect(found.rows == found.distinct, "\(index == 0 ? "serve" : "run"): no row twice: \(found)")
            #expect(found.distinct >= written, "\(index == 0 ? "serve" : "run") reports \(written) written, the table holds \(found)")
            if execution["status"] as? String == "COMPLETE" {
                #expect(written == total && found.rows == total, "\(found), \(execution)")
            } else {
                refused += 1
                #expect(execution["status"] as? String == "ERROR")
                #expect(written == 0 && found.rows == 0, "refused, nothing written: \(found)")
                #expect((execution["error"] as? String ?? "").contains("refused"), "\(execution["error"] ?? "nil")")
            }
        }
        #expect(refused == 1, "serve: \(served["status"] ?? "nil"), run: \(ran.execution["status"] ?? "nil")")
        #expect(ran.execution["status"] as? String == "ERROR" && ran.status == 1, "the later one, the run, is refused")
    }

    /// A tiny seeded generator, so a failing sequence of kill points can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    @Test("exactly-once killed again and again, at random points and while skipping rows written before: then every row exactly once")
    func repeatedKills() throws {
        let total = 30_000
        let workspace = try LoadWorkspace(api: "storage-write", delivery: "exactly-once", batchCount: 100)
        try workspace.writeRows(total)
        let destination = "demo." + workspace.table
        var random = SeededGenerator(state: UInt64(Harness.environment["CONVEYOR_KILL_SEED"] ?? "") ?? 20_261_204)
        var store: ExecutionStore?
        func checkpoint() -> WriteCheckpoint? {
            if store == nil { store = WorkspaceStore.open(workspace.root) }
            return try? store?.writeCheckpoint(processID: "load", destination: destination)
        }
        var killedWhileSkipping = 0
        var kills: [String] = []
        for round in 0..<6 {
            let before = checkpoint()
            let run = try Background(workspace, environment: [:])
            let whileSkipping = round % 2 == 1 && before != nil
            let target = (before?.rowsDone ?? 0) + Int64.random(in: 2_000...8_000, using: &random)
            let delay = Double.random(in: 0...0.03, using: &random)
            let deadline = Date().addingTimeInterval(60)
            var ready = false
            while run.process.isRunning, Date() < deadline, !ready {
                let now = checkpoint()
                if whileSkipping {
                    // Claimed by this run (it now skips the rows the earlier runs wrote).
                    ready = now != nil && now?.executionID != before?.executionID
                } else {
                    ready = (now?.rowsDone ?? 0) >= target
                }
                if !ready { Thread.sleep(forTimeInterval: 0.002) }
            }
            if whileSkipping { Thread.sleep(forTimeInterval: delay) }
            guard run.process.isRunning else {
                kills.append("round \(round): ended before the kill")
                continue
            }
            run.kill()
            let after = checkpoint()
            if whileSkipping, after?.nextOffset == before?.nextOffset { killedWhileSkipping += 1 }
            kills.append("round \(round): \(whileSkipping ? "skipping" : "random"), checkpoint "
                         + "\(before?.rowsDone ?? -1)/\(before?.nextOffset ?? -1) -> \(after?.rowsDone ?? -1)/\(after?.nextOffset ?? -1)")
            // Never backwards: rows done and the offset only grow.
            if let before, let after, before.stream == after.stream {
                #expect(after.rowsDone >= before.rowsDone && after.nextOffset >= before.nextOffset, "\(kills)")
            }
        }
        #expect(killedWhileSkipping >= 1, "no run was killed while skipping: \(kills)")
        let (output, execution) = try workspace.run()
        #expect(output.status == 0, "\(output.stderr)")
        #expect(execution["status"] as? String == "COMPLETE")
        let found = try workspace.idStats()
        #expect(found.rows == total && found.distinct == total && found.lowest == 0 && found.highest == total - 1,
                "each row exactly once: \(found); \(kills)")
        print("exactly-once repeated kills: \(kills)")
    }
}
