import Foundation
import Testing

/// `allowSimultaneous` across separate `conveyor run` commands: the first run of a process reads
/// its input from a named pipe and so keeps running until the test writes to it.
@Suite struct ProcessLockTests {
    /// A workspace with `exclusive` (allowSimultaneous="false") and `shared` ("true"), both
    /// `<input/>` → stop, and an ordinary input file.
    static func lockWorkspace() throws -> String {
        let workspace = try Harness.temporaryDirectory("lock")
        for folder in ["processes", "connectors", "profiles"] {
            try FileManager.default.createDirectory(atPath: workspace + "/" + folder, withIntermediateDirectories: true)
        }
        for (id, allow) in [("exclusive", "false"), ("shared", "true")] {
            try """
                <process id="\(id)" allowSimultaneous="\(allow)">
                  <shapes>
                    <start id="start" next="done"><input/></start>
                    <stop id="done"/>
                  </shapes>
                </process>
                """.write(toFile: "\(workspace)/processes/\(id).xml", atomically: true, encoding: .utf8)
        }
        try "{\"n\":1}".write(toFile: workspace + "/input.json", atomically: true, encoding: .utf8)
        let made = try Harness.run("/usr/bin/mkfifo", [workspace + "/pipe"])
        #expect(made.status == 0, "mkfifo: \(made.stderr)")
        return workspace
    }

    /// Starts `conveyor run PROCESS --input pipe` without waiting; it blocks reading the pipe.
    static func startBlockedRun(_ processID: String, in workspace: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.conveyor)
        process.arguments = ["run", processID, "--workspace", workspace, "--input", workspace + "/pipe"]
        process.environment = try Harness.environment(forWorkspace: workspace)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Lets the blocked run finish by writing a document into the pipe (bounded by a timeout).
    static func unblock(_ workspace: String) throws {
        let written = try Harness.run("/usr/bin/timeout", ["-s", "KILL", "20", "sh", "-c", "printf '{\"n\":2}' > pipe"],
                                      in: workspace)
        #expect(written.status == 0, "nothing read the pipe: \(written.stderr)")
    }

    static func executions(_ workspace: String) throws -> [String] {
        let listed = try Harness.conveyor(["executions", "--workspace", workspace])
        #expect(listed.status == 0, "\(listed.stderr)")
        return listed.stdout.split(separator: "\n").filter { $0.hasPrefix("ex-") }.map(String.init)
    }

    @Test("a second run of an allowSimultaneous=false process exits 1 while the first runs, recording nothing")
    func exclusive() throws {
        let workspace = try Self.lockWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let first = try Self.startBlockedRun("exclusive", in: workspace)
        defer { if first.isRunning { first.terminate() } }
        let deadline = Date().addingTimeInterval(20)
        while !WorkspaceStore.processLockHeld(workspace, processID: "exclusive"), Date() < deadline { usleep(20_000) }
        #expect(WorkspaceStore.processLockHeld(workspace, processID: "exclusive"), "the first run took no lock")

        let second = try Harness.conveyor(["run", "exclusive", "--workspace", workspace, "--input", workspace + "/input.json"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("process 'exclusive' is already running"), "\(second.stderr)")
        #expect(second.stderr.contains("allowSimultaneous=\"false\""))
        #expect(second.stderr.contains(WorkspaceStore.lockHolderText(workspace, processID: "exclusive")), "\(second.stderr)")
        #expect(second.stdout.isEmpty, "the refused run printed no execution")

        try Self.unblock(workspace)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let recorded = try Self.executions(workspace)
        #expect(recorded.count == 1, "only the first run is recorded: \(recorded)")

        let third = try Harness.conveyor(["run", "exclusive", "--workspace", workspace, "--input", workspace + "/input.json"])
        #expect(third.status == 0, "the lock is released when the first run ends: \(third.stderr)")
        #expect(try Self.executions(workspace).count == 2)
    }

    @Test("allowSimultaneous=true takes no lock: a second run goes ahead while the first runs")
    func shared() throws {
        let workspace = try Self.lockWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let first = try Self.startBlockedRun("shared", in: workspace)
        defer { if first.isRunning { first.terminate() } }
        usleep(300_000)
        let second = try Harness.conveyor(["run", "shared", "--workspace", workspace, "--input", workspace + "/input.json"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(first.isRunning, "the first run still waits for its input")
        #expect(!WorkspaceStore.processLockHeld(workspace, processID: "shared"))

        try Self.unblock(workspace)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(try Self.executions(workspace).count == 2)
    }
}
