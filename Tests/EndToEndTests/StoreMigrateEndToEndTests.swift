import Foundation
import Testing
import TestSupport

/// `conveyor store migrate --to postgres://…` through the built binary: the workspace's SQLite store
/// copied into PostgreSQL, then used there by every command (disk connector only, no emulator).
@Suite("store migrate", .enabled(if: WorkspaceStore.onSQLite, "the migration's source is the workspace's SQLite store"))
struct StoreMigrateEndToEndTests {
    static let password = "hunter2-never-shown"
    /// Every command signs and checks the chain with this audit key; `PGPASSWORD` must never show.
    static let environment = ["CONVEYOR_SECRET_AUDIT_KEY": "e2e-migration-key", "PGPASSWORD": password]

    /// A workspace whose process `track` reads `in/*.jsonl` (deleting it), appends each line to
    /// `out/out.jsonl` tracking `orderId`, and keeps the last `orderId` in the persisted property `since`.
    static func workspace() throws -> String {
        try Harness.workspace("store-migrate", files: [
            "processes/tracked-fields.xml": #"<trackedFields><field name="orderId" type="character"/></trackedFields>"#,
            "connectors/inbox.xml": #"<connection id="inbox" type="disk"><directory>in</directory></connection>"#,
            "connectors/read.xml": """
                <operation id="read" type="disk" action="get">
                  <filePattern>*.jsonl</filePattern><split by="json-lines"/><deleteAfterRead>true</deleteAfterRead>
                </operation>
                """,
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": """
                <operation id="write" type="disk" action="send">
                  <fileName>out.jsonl</fileName><append>true</append>
                  <tracking><field name="orderId"><value source="profile" path="/orderId"/></field></tracking>
                </operation>
                """,
            "processes/track.xml": """
                <process id="track" name="Track">
                  <properties><property name="since" value="none" persist="true"/></properties>
                  <shapes>
                    <start id="start" next="write"><connector connection="inbox" operation="read"/></start>
                    <connector id="write" connection="outbox" operation="write" next="remember"/>
                    <setProperties id="remember" next="done">
                      <property scope="process" name="since"><value source="profile" path="/orderId"/></property>
                    </setProperties>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ])
    }

    /// Runs `conveyor` with the audit key and the password in the environment; fails the test if the
    /// password shows in its output.
    @discardableResult
    static func conveyor(_ arguments: [String]) throws -> Harness.Output {
        let output = try Harness.conveyor(arguments, environment: environment)
        #expect(!output.stdout.contains(password) && !output.stderr.contains(password), "\(arguments) showed the password")
        return output
    }

    /// Writes `lines` to `in/NAME` and runs `track`; returns the execution id.
    static func run(_ workspace: String, _ name: String, _ lines: String, store: [String] = [],
                    status: Int32 = 0) throws -> String {
        try lines.write(toFile: workspace + "/in/" + name, atomically: true, encoding: .utf8)
        let run = try conveyor(["run", "track", "--json", "--workspace", workspace] + store)
        #expect(run.status == status, "\(run.stdout)\n\(run.stderr)")
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any], "\(run.stdout)")
        return try #require(execution["id"] as? String)
    }

    @Test("the copy verifies, lists, searches and reads properties as the SQLite store did, and runs go on in PostgreSQL")
    func migratedStoreWorksOnPostgres() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let url = try TestPostgres.createDatabase(prefix: "migrate_e2e")
        defer { TestPostgres.dropDatabase(url) }
        let postgres = ["--store", url]

        try Self.run(workspace, "1.jsonl", "{\"orderId\":\"a1\"}\n{\"orderId\":\"a2\"}\n")
        let failed = try Self.run(workspace, "2.jsonl", "{\"orderId\":\"b1\"}\nnot json\n", status: 1)
        try Self.run(workspace, "3.jsonl", "{\"orderId\":\"c1\"}\n")
        let purge = try Self.conveyor(["audit", "purge", "--retention", "90d", "--workspace", workspace])
        #expect(purge.status == 0, "\(purge.stderr)")

        let migrate = try Self.conveyor(["store", "migrate", "--to", url, "--workspace", workspace])
        #expect(migrate.status == 0, "\(migrate.stdout)\n\(migrate.stderr)")
        #expect(migrate.stdout.contains("audit verify on the target: OK: 9 records verified"), "\(migrate.stdout)")
        #expect(migrate.stdout.contains("signatures: checked with the audit key"), "\(migrate.stdout)")
        for line in ["executions          3", "tracked_values      4", "audit_checkpoints   1", "process_properties  1"] {
            #expect(migrate.stdout.contains("  " + line), "\(migrate.stdout)")
        }
        #expect(migrate.stderr.contains("tracked_values: 4 rows copied in "), "\(migrate.stderr)")

        // The same answers from both stores.
        for command in [["audit", "verify"], ["executions", "list", "--json"], ["executions", "show", failed, "--json"],
                        ["tracked", "search", "--field", "orderId=b1", "--json"], ["properties", "list", "track"]] {
            let sqlite = try Self.conveyor(command + ["--workspace", workspace])
            let migrated = try Self.conveyor(command + ["--workspace", workspace] + postgres)
            #expect(sqlite.status == 0 && migrated.status == 0, "\(command): \(sqlite.stderr) \(migrated.stderr)")
            #expect(sqlite.stdout == migrated.stdout, "\(command)")
        }
        let verified = try Self.conveyor(["audit", "verify", "--workspace", workspace] + postgres)
        #expect(verified.stdout.contains("signatures: checked with the audit key"), "\(verified.stdout)")
        let found = try Self.conveyor(["tracked", "search", "--field", "orderId=b1", "--json", "--workspace", workspace] + postgres)
        #expect((try Harness.json(found.stdout) as? [[String: Any]])?.count == 1, "\(found.stdout)")
        let properties = try Self.conveyor(["properties", "list", "track", "--workspace", workspace] + postgres)
        #expect(properties.stdout.contains("since = c1"), "\(properties.stdout)")

        // New executions in PostgreSQL get ids after the copied ones, and the chain still verifies.
        try Self.run(workspace, "4.jsonl", "{\"orderId\":\"d1\"}\n", store: postgres)
        let listed = try Self.conveyor(["executions", "list", "--json", "--workspace", workspace] + postgres)
        #expect((try Harness.json(listed.stdout) as? [[String: Any]])?.count == 4, "\(listed.stdout)")
        let after = try Self.conveyor(["audit", "verify", "--workspace", workspace] + postgres)
        #expect(after.status == 0, "\(after.stdout)\n\(after.stderr)")
        #expect(after.stdout.hasPrefix("OK: 11 records verified"), "\(after.stdout)")

        // A second migration into the same database is refused, naming it and how to start over.
        let again = try Self.conveyor(["store", "migrate", "--to", url, "--workspace", workspace])
        #expect(again.status == 1)
        #expect(again.stderr.contains("the target is not empty (4 rows in executions"), "\(again.stderr)")
        #expect(again.stderr.contains("DROP DATABASE"))
        #expect(again.stderr.contains(url), "\(again.stderr)")

        // A password in the URL is refused without being shown; a workspace without a store has nothing to migrate.
        let withPassword = url.replacingOccurrences(of: "postgres@", with: "postgres:\(Self.password)@")
        let refused = try Self.conveyor(["store", "migrate", "--to", withPassword, "--workspace", workspace])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("the URL holds a password"), "\(refused.stderr)")
        let empty = try Harness.temporaryDirectory("store-migrate-empty")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let nothing = try Self.conveyor(["store", "migrate", "--to", url, "--workspace", empty])
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("no execution store at \(empty)/.conveyor/executions.sqlite: nothing to migrate"),
                "\(nothing.stderr)")
    }

    @Test("help, and usage errors exit 2", arguments: [["store"], ["store", "migrate"]])
    func help(_ command: [String]) throws {
        let output = try Harness.conveyor(command + ["--help"])
        #expect(output.status == 0, "\(command): \(output.stderr)")
        #expect(output.stdout.contains("USAGE"), "\(command): \(output.stdout)")
        #expect(output.stdout.contains("migrate"), "\(command): \(output.stdout)")
        let noURL = try Harness.conveyor(["store", "migrate", "--to", "/tmp/other.sqlite"])
        #expect(noURL.status == 2)
        #expect(noURL.stderr.contains("--to takes a postgres://USER@HOST:PORT/DB URL"), "\(noURL.stderr)")
    }

    @Test("a store with an execution still running is refused, naming it, and migrates once it ended")
    func runningExecutionIsRefused() throws {
        // `wait-pipe` opens a named pipe no one writes yet: the execution runs until the test writes to it.
        let workspace = try ServeCrashTests.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let url = try TestPostgres.createDatabase(prefix: "migrate_e2e")
        defer { TestPostgres.dropDatabase(url) }
        let blocked = Process()
        blocked.executableURL = URL(fileURLWithPath: Harness.conveyor)
        blocked.arguments = ["run", "wait-pipe", "--workspace", workspace]
        blocked.standardOutput = FileHandle.nullDevice
        blocked.standardError = FileHandle.nullDevice
        blocked.standardInput = FileHandle.nullDevice
        try blocked.run()
        defer { if blocked.isRunning { blocked.terminate() } }
        var running: String?
        let deadline = Date().addingTimeInterval(20)
        while running == nil, Date() < deadline {
            let listed = try Harness.conveyor(["executions", "list", "--json", "--workspace", workspace])
            running = ((try? Harness.json(listed.stdout)) as? [[String: Any]])?
                .first { $0["status"] as? String == "INPROCESS" }?["id"] as? String
            if running == nil { usleep(50_000) }
        }
        let id = try #require(running, "the blocked run recorded no INPROCESS execution")

        let refused = try Harness.conveyor(["store", "migrate", "--to", url, "--workspace", workspace])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("execution still INPROCESS: \(id) (process wait-pipe, started "), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was copied"))
        #expect(try TestPostgres.psql(url, "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'executions'") == "0")

        let written = try Harness.run("/usr/bin/timeout", ["-s", "KILL", "20", "sh", "-c", "printf '{}' > pipe/in.fifo"], in: workspace)
        #expect(written.status == 0, "nothing read the pipe: \(written.stderr)")
        blocked.waitUntilExit()
        let migrated = try Harness.conveyor(["store", "migrate", "--to", url, "--workspace", workspace])
        #expect(migrated.status == 0, "\(migrated.stdout)\n\(migrated.stderr)")
        #expect(try TestPostgres.psql(url, "SELECT status FROM executions") == "COMPLETE")
    }
}
