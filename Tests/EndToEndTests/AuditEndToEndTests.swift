import ExecutionStore
import Foundation
import Testing

/// `conveyor audit verify`, `audit purge` and `tracked export` through the built binary.
@Suite struct AuditEndToEndTests {
    /// A workspace whose store holds an old and a recent execution with tracked values.
    private func seededWorkspace() throws -> String {
        let workspace = try Harness.temporaryDirectory("audit")
        let store = try ExecutionStore(path: try WorkspaceStore.location(workspace))
        let now = Date()
        for (id, started) in [("old-exec", now.addingTimeInterval(-200 * 86_400)), ("new-exec", now)] {
            var execution = ExecutionRecord(id: id, processID: "orders", processName: "Orders", trigger: "schedule",
                                            startTime: started)
            try store.insert(execution)
            try store.record(documents: (0..<2).map { index in
                DocumentRecord(executionID: id, shapeID: "insert", direction: "input", index: index,
                               trackedValues: [TrackedValue(name: "orderId", value: "\(id)-\(index)"),
                                               TrackedValue(name: "note", value: "says \"hi\", twice")],
                               recordedAt: started)
            })
            execution.status = .complete
            try store.update(execution)
        }
        return workspace
    }

    @Test func verifyPurgeAndExportThroughTheBinary() throws {
        let workspace = try seededWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }

        let verified = try Harness.conveyor(["audit", "verify", "--workspace", workspace])
        #expect(verified.status == 0, "\(verified.stderr)")
        // 4 tracked values and the finished execution, twice.
        #expect(verified.stdout.hasPrefix("OK: 10 records verified, head 10 "))
        #expect(verified.stdout.contains("signatures: not checked (no audit key"))

        let csv = try Harness.conveyor(["tracked", "export", "--format", "csv", "--field", "orderId=new-exec-1",
                                        "--workspace", workspace])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.components(separatedBy: "\r\n")
        #expect(lines.count == 4)   // header, two records, empty after the last CRLF
        #expect(lines[0].hasPrefix("sequence,execution_id,process_id"))
        #expect(lines[2].hasPrefix("9,new-exec,orders,insert,input,1,success,note,\"says \"\"hi\"\", twice\",false,"))

        let jsonl = try Harness.conveyor(["tracked", "export", "--format", "jsonl", "--process", "orders",
                                          "--output", workspace + "/all.jsonl", "--workspace", workspace])
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let objects = try Harness.jsonLines(try String(contentsOfFile: workspace + "/all.jsonl", encoding: .utf8))
        #expect(objects.map { $0["sequence"] as? Int } == [1, 2, 3, 4, 6, 7, 8, 9])

        let purged = try Harness.conveyor(["audit", "purge", "--retention", "90d", "--workspace", workspace])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(purged.stdout.hasPrefix("purged 1 executions, 2 documents, 4 tracked records started before "))
        #expect(purged.stdout.contains("checkpoint 1: record 5 "))

        let afterPurge = try Harness.conveyor(["audit", "verify", "--json", "--workspace", workspace])
        #expect(afterPurge.status == 0, "\(afterPurge.stderr)")
        let report = try #require(try Harness.json(afterPurge.stdout) as? [String: Any])
        #expect(report["intact"] as? Bool == true)
        #expect(report["recordsChecked"] as? Int == 6)   // new-exec's 5 and the checkpoint's own record
        #expect((report["checkpoint"] as? [String: Any])?["lastSequence"] as? Int == 5)

        let badRetention = try Harness.conveyor(["audit", "purge", "--retention", "90", "--workspace", workspace])
        #expect(badRetention.status != 0)
        #expect(badRetention.stderr.contains("--retention '90' must be a positive number and a unit"))
    }

    @Test(arguments: [["audit"], ["audit", "verify"], ["audit", "purge"], ["tracked", "export"]])
    func helpWorks(_ command: [String]) throws {
        let output = try Harness.conveyor(command + ["--help"])
        #expect(output.status == 0, "\(command): \(output.stderr)")
        #expect(output.stdout.contains("USAGE"), "\(command): \(output.stdout)")
    }

    /// A row edited with the database's own tool (sqlite3, or psql on PostgreSQL).
    @Test func verifyReportsARowEditedWithTheSQLiteTool() throws {
        try #require(WorkspaceStore.sqlToolExists, "the sqlite3 (or psql) tool is needed")
        let workspace = try seededWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }

        let edited = try WorkspaceStore.sql(workspace, "UPDATE tracked_values SET value = 'new-exec-9' WHERE seq = 8")
        #expect(edited.status == 0, "\(edited.stderr)")
        let verified = try Harness.conveyor(["audit", "verify", "--workspace", workspace])
        #expect(verified.status == 1)
        #expect(verified.stdout.contains("BROKEN: record 8 (execution new-exec, field orderId): content changed"))

        let deleted = try WorkspaceStore.sql(workspace, "UPDATE tracked_values SET value = 'new-exec-1' WHERE seq = 8; "
            + "DELETE FROM tracked_values WHERE seq = 2")
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let again = try Harness.conveyor(["audit", "verify", "--workspace", workspace])
        #expect(again.status == 1)
        #expect(again.stdout.contains("BROKEN: record 3 (execution old-exec, field orderId): link broken: "
            + "it follows record 1; records in between are missing"))
    }

    /// A process that logs a line and writes each input file to `out/`.
    private static let logAndWrite: [String: String] = [
        "processes/log-and-write.xml": """
            <process id="log-and-write" name="Log and write">
              <shapes>
                <start id="start" next="log"><input/></start>
                <notify id="log" level="info" message="copying an order" next="write"/>
                <connector id="write" connection="outbox" operation="write-file" next="done"/>
                <stop id="done"/>
              </shapes>
            </process>
            """,
        "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
        "connectors/write-file.xml": #"<operation id="write-file" type="disk" action="send"><fileName>{input.fileName}</fileName></operation>"#,
        "a.json": #"{"id": 1}"#,
    ]

    @Test func executionRecordsAndTheSignedHeadThroughTheBinary() throws {
        try #require(WorkspaceStore.sqlToolExists, "the sqlite3 (or psql) tool is needed")
        let workspace = try Harness.workspace("audit-key", files: Self.logAndWrite)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let keyed = ["CONVEYOR_SECRET_AUDIT_KEY": "n0t-in-the-file"]
        func sql(_ statement: String) throws -> String {
            let output = try WorkspaceStore.sql(workspace, statement)
            #expect(output.status == 0, "\(output.stderr)")
            return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func verify(_ environment: [String: String], _ extra: [String] = []) throws -> Harness.Output {
            try Harness.conveyor(["audit", "verify", "--workspace", workspace] + extra, environment: environment)
        }

        for _ in 0..<2 {
            let run = try Harness.conveyor(["run", "log-and-write", "--input", "a.json"], in: workspace, environment: keyed)
            #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        }
        let ids = try sql("SELECT id FROM executions ORDER BY rowid").split(separator: "\n").map(String.init)
        try #require(ids.count == 2)
        let intact = try verify(keyed)
        #expect(intact.status == 0, "\(intact.stdout)\(intact.stderr)")
        #expect(intact.stdout.hasPrefix("OK: 2 records verified, head 2 "))
        #expect(intact.stdout.contains("signatures: checked with the audit key"))
        let contents = try WorkspaceStore.contents(workspace)
        #expect(!contents.contains("n0t-in-the-file"))

        // The user log of the first execution is edited.
        let log = try sql("SELECT user_log FROM executions WHERE id = '\(ids[0])'")
        #expect(log.contains("copying an order"))
        _ = try sql("UPDATE executions SET user_log = '[]' WHERE id = '\(ids[0])'")
        let edited = try verify([:])
        #expect(edited.status == 1)
        #expect(edited.stdout.contains("BROKEN: record 1 (execution \(ids[0]), execution record): content changed"),
                "\(edited.stdout)")
        _ = try sql("UPDATE executions SET user_log = '\(log.replacingOccurrences(of: "'", with: "''"))' WHERE id = '\(ids[0])'")

        // The second execution is cut off the end: caught with or without the key.
        _ = try sql("DELETE FROM executions WHERE id = '\(ids[1])'")
        let tail = try verify([:])
        #expect(tail.status == 1)
        #expect(tail.stdout.contains("BROKEN: head: tail deleted: the chain ends at record 1 but its head is record 2"),
                "\(tail.stdout)")

        // The head is rewritten to match: only the key tells.
        _ = try sql("UPDATE audit_head SET seq = 1, chain_hash = (SELECT chain_hash FROM audit_entries WHERE seq = 1)")
        let cut = try verify(keyed)
        #expect(cut.status == 1)
        #expect(cut.stdout.contains("BROKEN: head: signature does not match: the head (record 1, 0 checkpoints) "
            + "was rewritten without the audit key"), "\(cut.stdout)")
        let unkeyed = try verify([:])
        #expect(unkeyed.status == 0, "\(unkeyed.stdout)")
        #expect(unkeyed.stdout.contains("signatures: not checked"))

        let missing = try verify([:], ["--audit-key", "${secret:NOPE}"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--audit-key: secret 'NOPE' is not set"))
    }
}
