import Foundation
import Testing

/// The CLI never destroys what it did not mean to write and refuses out-of-range input with a
/// usage error (exit 2) instead of crashing or answering quietly wrong.
@Suite("conveyor command line safety")
struct CommandLineSafetyTests {
    /// A workspace with one run of a process that records the tracked field `code`.
    static func trackedWorkspace(_ label: String) throws -> String {
        let root = try Harness.trackingWorkspace(label, fields: [("code", "character")])
        try "{\"code\": \"a\"}\n{\"code\": \"b\"}\n".write(toFile: root + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let run = try Harness.conveyor(["run", "track", "--workspace", root])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        return root
    }

    @Test("tracked export --output refuses the execution store, its companions and links to them",
          .enabled(if: WorkspaceStore.onSQLite, "the store is a file in the workspace only on SQLite"))
    func exportRefusesTheStore() throws {
        let root = try Self.trackedWorkspace("export-store")
        let store = root + "/.conveyor/executions.sqlite"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: store)[.size] as? Int)
        try FileManager.default.createSymbolicLink(atPath: root + "/link.csv", withDestinationPath: store)
        for target in [store, ".conveyor/executions.sqlite", ".conveyor/../.conveyor/executions.sqlite-wal",
                       store + "-shm", store + "-running", "link.csv"] {
            let export = try Harness.conveyor(["tracked", "export", "--format", "csv", "--output", target,
                                               "--workspace", root], in: root)
            #expect(export.status == 2, "\(target): \(export.stderr)")
            #expect(export.stderr.contains("execution store"), "\(target): \(export.stderr)")
            #expect((try FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) == size, "\(target)")
        }
        let list = try Harness.conveyor(["executions", "list", "--workspace", root])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n").count == 2, "\(list.stdout)")
        // An ordinary existing file is replaced whole, and no temporary file is left behind.
        try "old contents\n".write(toFile: root + "/out.csv", atomically: true, encoding: .utf8)
        let export = try Harness.conveyor(["tracked", "export", "--format", "csv", "--output", root + "/out.csv",
                                           "--workspace", root])
        #expect(export.status == 0, "\(export.stderr)")
        let written = try String(contentsOfFile: root + "/out.csv", encoding: .utf8)
        #expect(!written.contains("old contents") && written.contains(",code,a,") && written.contains(",code,b,"), "\(written)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("import-profile --output refuses the execution store before reading the table")
    func importProfileRefusesTheStore() throws {
        let workspace = try BigQueryWorkspace()
        let store = workspace.root + "/.conveyor/executions.sqlite"
        for target in [store, store + "-wal"] {
            let imported = try Harness.conveyor(["import-profile", "--workspace", workspace.root, "--connection", "bigquery",
                                                 "--table", "sales.orders", "--output", target, "--force"],
                                                environment: ["BIGQUERY_EMULATOR_HOST": "127.0.0.1:1"])
            #expect(imported.status == 2, "\(target): \(imported.stderr)")
            #expect(imported.stderr.contains("execution store"), "\(target): \(imported.stderr)")
        }
    }

    @Test("an export that fails leaves an existing output file untouched and no temporary file")
    func failedExportKeepsTheFile() throws {
        let root = try Self.trackedWorkspace("export-fail")
        try "keep me\n".write(toFile: root + "/out.csv", atomically: true, encoding: .utf8)
        // A column the export reads is renamed after the run: the store opens, the export fails.
        let sqlite = try WorkspaceStore.sql(root, "ALTER TABLE documents RENAME COLUMN direction TO moved;")
        try #require(sqlite.status == 0, "\(sqlite.stderr)")
        let export = try Harness.conveyor(["tracked", "export", "--format", "csv", "--output", root + "/out.csv",
                                           "--workspace", root])
        #expect(export.status == 1, "\(export.stdout)")
        #expect(export.stderr.contains("export tracked records failed"), "\(export.stderr)")
        #expect(try String(contentsOfFile: root + "/out.csv", encoding: .utf8) == "keep me\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("--retention beyond 100 years is a usage error naming the range, not a crash")
    func retentionIsBounded() throws {
        let root = try Self.trackedWorkspace("retention")
        for value in ["99999999999999d", "3000000d", "36501d", "5215w", "876001h", "52560001m"] {
            let purge = try Harness.conveyor(["audit", "purge", "--retention", value, "--workspace", root])
            #expect(purge.status == 2, "\(value): \(purge.stderr)")
            #expect(purge.stderr.contains("36500d"), "\(value): \(purge.stderr)")
        }
        // serve refuses it before it listens (it used to start and crash in its first purge).
        let serve = try Harness.conveyor(["serve", "--auth", "bearer:T", "--port", "0", "--retention", "99999999999999d",
                                          "--workspace", root], environment: ["CONVEYOR_SECRET_T": "token"])
        #expect(serve.status == 2, "\(serve.stderr)")
        #expect(serve.stderr.contains("36500d"), "\(serve.stderr)")
        // Durations of serve options are bounded too (an hour count used to overflow and crash).
        for option in ["--retry-delay", "--grace-period", "--idle-timeout"] {
            let serve = try Harness.conveyor(["serve", "--auth", "bearer:T", "--port", "0", option, "9999999999999999h",
                                              "--workspace", root], environment: ["CONVEYOR_SECRET_T": "token"])
            #expect(serve.status == 2, "\(option): \(serve.stderr)")
            #expect(serve.stderr.contains("365 days"), "\(option): \(serve.stderr)")
        }
        let purge = try Harness.conveyor(["audit", "purge", "--retention", "36500d", "--workspace", root])
        #expect(purge.status == 0, "\(purge.stderr)")
        #expect(purge.stdout.contains("purged 0 executions"), "\(purge.stdout)")
    }

    @Test("an undeclared --field, an out-of-range --limit and a short id prefix are usage errors")
    func quietWrongAnswersAreUsageErrors() throws {
        let root = try Self.trackedWorkspace("quiet")
        for command in [["tracked", "search"], ["tracked", "export", "--format", "csv"]] {
            let unknown = try Harness.conveyor(command + ["--field", "nofield=1", "--workspace", root])
            #expect(unknown.status == 2, "\(command): \(unknown.stderr)")
            #expect(unknown.stderr.contains("not a declared tracked field (declared: code)"), "\(command): \(unknown.stderr)")
            let typo = try Harness.conveyor(command + ["--field", "cod=a", "--workspace", root])
            #expect(typo.status == 2 && typo.stderr.contains("did you mean 'code'?"), "\(command): \(typo.stderr)")
        }
        for command in [["executions", "list"], ["tracked", "search", "--field", "code=a"]] {
            for limit in ["0", "-5", "10001"] {
                let listed = try Harness.conveyor(command + ["--limit", limit, "--workspace", root])
                #expect(listed.status == 2, "\(command) \(limit): \(listed.stdout)")
                #expect(listed.stderr.contains("--limit \(limit) must be from 1 to 10000"), "\(command) \(limit): \(listed.stderr)")
            }
        }
        let found = try Harness.conveyor(["tracked", "search", "--field", "code=a", "--limit", "1", "--workspace", root])
        #expect(found.status == 0 && found.stdout.contains("ex-"), "\(found.stderr)")
        let show = try Harness.conveyor(["executions", "show", "ex-2026", "--workspace", root])
        #expect(show.status == 2, "\(show.stderr)")
        #expect(show.stderr.contains("too short to be a prefix"), "\(show.stderr)")
    }

    @Test("read-only commands on a workspace that does not exist fail and create nothing")
    func missingWorkspaceIsAnError() throws {
        let parent = try Harness.temporaryDirectory("missing")
        let missing = parent + "/nowhere"
        for command in [["executions", "list"], ["executions", "show", "ex-20260101T000000Z-00000000"],
                        ["tracked", "search", "--field", "code=a"], ["tracked", "export", "--format", "csv"],
                        ["audit", "verify"], ["properties", "list", "track"]] {
            let output = try Harness.conveyor(command + ["--workspace", missing])
            #expect(output.status == 2, "\(command): \(output.stdout) \(output.stderr)")
            #expect(output.stderr.contains("no workspace at \(missing)"), "\(command): \(output.stderr)")
            #expect(!FileManager.default.fileExists(atPath: missing), "\(command) created \(missing)")
        }
    }
}
