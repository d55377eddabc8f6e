import ExecutionStore
import Foundation
import Testing

/// `conveyor audit verify`, `audit purge` and `tracked export` through the built binary.
@Suite struct AuditEndToEndTests {
    /// A workspace whose store holds an old and a recent execution with tracked values.
    private func seededWorkspace() throws -> String {
        let workspace = try Harness.temporaryDirectory("audit")
        let store = try ExecutionStore(path: workspace + "/.conveyor/executions.sqlite")
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
        #expect(verified.stdout.hasPrefix("OK: 8 records verified, head 8 "))

        let csv = try Harness.conveyor(["tracked", "export", "--format", "csv", "--field", "orderId=new-exec-1",
                                        "--workspace", workspace])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.components(separatedBy: "\r\n")
        #expect(lines.count == 4)   // header, two records, empty after the last CRLF
        #expect(lines[0].hasPrefix("sequence,execution_id,process_id"))
        #expect(lines[2].hasPrefix("8,new-exec,orders,insert,input,1,success,note,\"says \"\"hi\"\", twice\",false,"))

        let jsonl = try Harness.conveyor(["tracked", "export", "--format", "jsonl", "--process", "orders",
                                          "--output", workspace + "/all.jsonl", "--workspace", workspace])
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let objects = try Harness.jsonLines(try String(contentsOfFile: workspace + "/all.jsonl", encoding: .utf8))
        #expect(objects.map { $0["sequence"] as? Int } == Array(1...8))
        #expect(objects.last?["chainHash"] as? String == verified.stdout.split(separator: " ").last
            .map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) })

        let purged = try Harness.conveyor(["audit", "purge", "--retention", "90d", "--workspace", workspace])
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(purged.stdout.hasPrefix("purged 1 executions, 2 documents, 4 tracked records started before "))
        #expect(purged.stdout.contains("checkpoint 1: record 4 "))

        let afterPurge = try Harness.conveyor(["audit", "verify", "--json", "--workspace", workspace])
        #expect(afterPurge.status == 0, "\(afterPurge.stderr)")
        let report = try #require(try Harness.json(afterPurge.stdout) as? [String: Any])
        #expect(report["intact"] as? Bool == true)
        #expect(report["recordsChecked"] as? Int == 4)
        #expect((report["checkpoint"] as? [String: Any])?["lastSequence"] as? Int == 4)

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

    @Test func verifyReportsARowEditedWithTheSQLiteTool() throws {
        let sqlite = "/usr/bin/sqlite3"
        try #require(FileManager.default.isExecutableFile(atPath: sqlite), "the sqlite3 tool is needed")
        let workspace = try seededWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let database = workspace + "/.conveyor/executions.sqlite"

        let edited = try Harness.run(sqlite, [database, "UPDATE tracked_values SET value = 'new-exec-9' WHERE seq = 7"])
        #expect(edited.status == 0, "\(edited.stderr)")
        let verified = try Harness.conveyor(["audit", "verify", "--workspace", workspace])
        #expect(verified.status == 1)
        #expect(verified.stdout.contains("BROKEN: record 7 (execution new-exec, field orderId): content changed"))

        let deleted = try Harness.run(sqlite, [database, "UPDATE tracked_values SET value = 'new-exec-1' WHERE seq = 7; "
            + "DELETE FROM tracked_values WHERE seq = 2"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let again = try Harness.conveyor(["audit", "verify", "--workspace", workspace])
        #expect(again.status == 1)
        #expect(again.stdout.contains("BROKEN: record 3 (execution old-exec, field orderId): link broken: "
            + "it follows record 1; records in between are missing"))
    }
}
