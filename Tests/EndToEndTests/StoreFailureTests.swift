import Foundation
import Testing

/// The store failing is the execution failing: an execution whose records could not be written
/// is never left COMPLETE, and one whose lease file vanished is not left INPROCESS forever.
@Suite("store failures end to end", .serialized)
struct StoreFailureTests {
    /// Reads `in/rows.jsonl` and appends each row to `out/rows.jsonl`, tracking two fields per row.
    static func trackedCopyWorkspace() throws -> String {
        try Harness.workspace("store-full", files: Harness.jsonLinesInbox.merging([
            "processes/tracked-fields.xml": """
                <trackedFields>
                  <field name="rowId" type="character"/>
                  <field name="payload" type="character"/>
                </trackedFields>
                """,
            "processes/copy.xml": """
                <process id="copy">
                  <shapes>
                    <start id="start" next="save"><connector connection="inbox" operation="read"/></start>
                    <connector id="save" connection="out" operation="save" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "connectors/out.xml": #"<connection id="out" type="disk"><directory>out</directory></connection>"#,
            "connectors/save.xml": """
                <operation id="save" type="disk" action="send">
                  <fileName>rows.jsonl</fileName>
                  <append>true</append>
                  <tracking direction="input">
                    <field name="rowId"><value source="profile" path="/id"/></field>
                    <field name="payload"><value source="profile" path="/payload"/></field>
                  </tracking>
                </operation>
                """,
        ]) { $1 })
    }

    static func executions(_ workspace: String) throws -> [[String: Any]] {
        let listed = try Harness.conveyor(["executions", "list", "--workspace", workspace, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        return (try? Harness.json(listed.stdout) as? [[String: Any]]) ?? []
    }

    @Test("SQLITE_FULL mid-run: the CLI exits 1 naming the store error, and the execution is ERROR, not COMPLETE",
          .enabled(if: WorkspaceStore.onSQLite, "fills the file system of the SQLite file"))
    func fullDisk() throws {
        let workspace = try Self.trackedCopyWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let total = 60_000
        var rows = ""
        for id in 0..<total { rows += #"{"id": "\#(id)", "payload": "row-\#(id)-abcdefghijklmnopqrstuvwxyz0123456789"}"# + "\n" }
        try rows.write(toFile: workspace + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: workspace + "/out", withIntermediateDirectories: true)
        let store = workspace + "/.conveyor"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        // The store on a 1 MiB file system: it fills up after a few thousand tracked documents.
        let mounted = try Harness.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", store])
        try #require(mounted.status == 0, "this test needs root to mount a small tmpfs: \(mounted.stderr)")
        defer { _ = try? Harness.run("/usr/bin/umount", [store]) }

        let run = try Harness.conveyor(["run", "copy", "--workspace", workspace])
        #expect(run.status == 1, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stdout.contains("ERROR"), "\(run.stdout)")
        #expect(run.stdout.contains("SQLITE_FULL"), "the summary names the store error: \(run.stdout)")

        // Room again, so the next command can write what the full store could not.
        let grown = try Harness.run("/usr/bin/mount", ["-o", "remount,size=64m", store])
        try #require(grown.status == 0, "\(grown.stderr)")
        let listed = try Self.executions(workspace)
        try #require(listed.count == 1, "\(listed)")
        #expect(listed[0]["status"] as? String == "ERROR", "never COMPLETE: \(listed[0])")
        #expect((listed[0]["error"] as? String)?.contains("SQLITE_FULL") == true, "\(listed[0]["error"] ?? "nil")")
        let read = listed[0]["documentsIn"] as? Int ?? total
        #expect(read < total, "documents that cannot be tracked are not sent on: \(read) read")
    }

    @Test("a run whose lease file was removed is marked ABORTED once its command is killed, not left INPROCESS",
          .enabled(if: WorkspaceStore.onSQLite, "leases are lock files only on SQLite (advisory locks on PostgreSQL)"))
    func vanishedLeaseFile() throws {
        let workspace = try ServeLockTests.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.conveyor)
        process.arguments = ["run", "wait-pipe", "--workspace", workspace]
        process.environment = try Harness.environment(forWorkspace: workspace)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        var listed: [[String: Any]] = []
        for _ in 0..<200 where listed.isEmpty {
            listed = try Self.executions(workspace)
            if listed.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        }
        let id = try #require(listed.first?["id"] as? String, "the run started no execution")
        #expect(listed.first?["status"] as? String == "INPROCESS")
        let lease = workspace + "/.conveyor/executions.sqlite-running/\(id).lock"
        try #require(FileManager.default.fileExists(atPath: lease))
        try FileManager.default.removeItem(atPath: lease)
        #expect(try Self.executions(workspace).first?["status"] as? String == "INPROCESS",
                "its command still runs: left alone")

        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let after = try #require(try Self.executions(workspace).first)
        #expect(after["status"] as? String == "ABORTED", "\(after)")
        #expect((after["error"] as? String)?.contains("pid \(process.processIdentifier)") == true, "\(after)")
        #expect((after["error"] as? String)?.contains("lock file") == true, "\(after)")
        #expect(after["endTime"] is String)
    }
}
