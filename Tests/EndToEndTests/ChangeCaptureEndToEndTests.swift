import Foundation
import Testing
import TestSupport

/// Change data capture from PostgreSQL 15 (wal2json) into the BigQuery emulator through the
/// built binary: concurrent transactions mirrored row for row through a host killed mid-stream,
/// `conveyor run` catching up, a failed batch replayed, and the setup errors users meet first.
@Suite("change data capture end to end", .serialized,
       .enabled(if: WorkspaceStore.onSQLite, "each test makes its own PostgreSQL database; once is enough"))
struct ChangeCaptureEndToEndTests {
    @Test("10,000 changes from concurrent transactions reach BigQuery row for row, through hosts SIGKILLed mid-batch and a server outage")
    func concurrentChangesConvergeThroughAKilledHost() async throws {
        let source = try await offloaded { try ChangeCaptureWorkload.make() }
        defer { source.drop() }
        // Rows from before the slot exists arrive through the snapshot.
        try await source.churn(sessions: 1, changes: 600)
        let workspace = try await offloaded { try source.workspace() }
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let validated = try await Self.conveyor(["validate", "--workspace", workspace])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")

        let first = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        let churn = Task { try await source.churn(sessions: 4, changes: 2_500) }
        // Killed while a batch runs, after at least one finished; then the next host is killed
        // the same way in its first batch, while it replays what the first left in the slot.
        #expect(try await Self.killDuringABatch(first, workspace: workspace, after: 1), "\(first.log.suffix(2000))")
        let second = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"], logName: "serve-2.log")
        #expect(try await Self.killDuringABatch(second, workspace: workspace, after: 1), "\(second.log.suffix(2000))")
        let third = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"], logName: "serve-3.log")
        try await churn.value
        // The server gone for longer than anything waits: the host says so once, and goes on when it is back.
        try await offloaded { try source.server.stop() }
        try await Task.sleep(for: .seconds(4))
        try await offloaded { try source.server.start() }
        try await source.churn(sessions: 1, changes: 200)

        let differences = try await source.waitUntilMirrored(workspace, timeout: .seconds(240))
        if !differences.isEmpty {
            let executions = try await Self.conveyor(["executions", "list", "--workspace", workspace, "--limit", "20"]).stdout
            Issue.record("\(differences)\nlast executions:\n\(executions)\nthird host's log:\n\(third.log.suffix(6000))")
        }
        try await third.stop()
        let log = third.log
        #expect(log.components(separatedBy: "change capture cannot read its slot").count == 2, "\(log.suffix(3000))")
        #expect(log.contains("change capture reads its slot again"), "\(log.suffix(3000))")

        let list = try await Self.conveyor(["executions", "list", "--workspace", workspace, "--limit", "1000"]).stdout
        // Each host was killed right after its API answered that a batch was running; that batch
        // may still have ended in the milliseconds before the kill, so at least one of the two is
        // ABORTED and none is left INPROCESS.
        let aborted = list.components(separatedBy: "ABORTED").count - 1
        #expect((1...2).contains(aborted), "each batch killed while running is recorded ABORTED: \(list.prefix(3000))")
        #expect(!list.contains("INPROCESS"))
        // The source really changed 10,600 rows' worth; the slot is past all of it.
        let waiting = try await Self.psql(source.url, """
            SELECT count(*) FROM pg_logical_slot_peek_changes('mirror_slot', NULL, NULL, 'format-version', '2',
              'add-tables', 'crm.customers,crm.notes,shop.orders') WHERE data NOT LIKE '{"action":"B"%' AND data NOT LIKE '{"action":"C"%'
            """)
        #expect(waiting == "0")
    }

    /// Blocking commands run off the tests' task pool (see `offloaded`).
    static func conveyor(_ arguments: [String]) async throws -> Harness.Output {
        try await offloaded { try Harness.conveyor(arguments) }
    }

    static func bq(_ arguments: [String], in directory: String) async throws -> String {
        try await offloaded { try Harness.bq(arguments, in: directory) }
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) async throws -> String {
        try await offloaded { try TestPostgres.psql(url, sql) }
    }

    /// SIGKILLs `host` once an execution runs and at least `completed` executions of the
    /// workspace are COMPLETE; returns whether a batch was running then.
    static func killDuringABatch(_ host: ServeHost, workspace: String, after completed: Int) async throws -> Bool {
        // Asked of the host itself (a curl takes milliseconds, a command far longer on a loaded
        // machine), so that a batch of a few hundred milliseconds is seen running.
        func count(_ status: String) async throws -> Int {
            let body = try await ServeHost.curl([host.base + "/api/executions?status=\(status)&limit=1000"])
            return body.components(separatedBy: "\"id\":\"").count - 1
        }
        var running = false
        for _ in 0..<6_000 {
            // Batches that ended in ERROR count too: on a loaded machine the emulator's MERGE jobs
            // can time out, and such a batch is replayed like a killed one.
            if try await count("INPROCESS") > 0,
               try await count("COMPLETE") + count("ERROR") + count("COMPLETE_WARN") >= completed {
                running = true
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await host.stop(signal: SIGKILL)
        return running
    }

    @Test("conveyor run reads until caught up; a batch that fails leaves its changes in the slot, and the next run delivers them")
    func runCatchesUpAndAFailedBatchIsReadAgain() async throws {
        let source = try await offloaded { try ChangeCaptureWorkload.make() }
        defer { source.drop() }
        let workspace = try await offloaded { try source.workspace() }
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        // The first run creates the slot (an empty snapshot) and reads nothing else.
        let created = try await Self.conveyor(["run", "mirror", "--workspace", workspace])
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        try await source.churn(sessions: 2, changes: 300)
        // With one target table missing, the batch ends in ERROR and the slot stays.
        _ = try await Self.bq(["query-job", "DROP TABLE `demo.\(source.prefix)_shop.orders`"], in: workspace)
        let failed = try await Self.conveyor(["run", "mirror", "--workspace", workspace])
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stdout.contains("was not moved"), "\(failed.stdout)")
        _ = try await Self.bq(["create-table", "\(source.prefix)_shop.orders",
                            Harness.packageRoot + "/Tests/EndToEndTests/Fixtures/cdc-orders.json"], in: workspace)
        let delivered = try await Self.conveyor(["run", "mirror", "--workspace", workspace])
        #expect(delivered.status == 0, "\(delivered.stdout)\(delivered.stderr)")
        #expect(delivered.stdout.contains("moved past them"), "\(delivered.stdout)")
        let differences = try await source.waitUntilMirrored(workspace, timeout: .seconds(5))
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test("a column added to a source table is added to the BigQuery table with schemaUpdate add-columns")
    func aNewSourceColumnReachesBigQuery() async throws {
        let source = try await offloaded { try ChangeCaptureWorkload.make() }
        defer { source.drop() }
        let workspace = try await offloaded { try source.workspace(options: "<schemaUpdate>add-columns</schemaUpdate>") }
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try await Self.psql(source.url, "INSERT INTO crm.customers VALUES (1, 'one', 'gold', 1.5, '2026-01-01Z')")
        let first = try await Self.conveyor(["run", "mirror", "--workspace", workspace])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        try await Self.psql(source.url, """
            ALTER TABLE crm.customers ADD COLUMN region text, ADD COLUMN visits bigint;
            INSERT INTO crm.customers VALUES (2, 'two', NULL, 2.25, '2026-01-02Z', 'eu', 7);
            UPDATE crm.customers SET region = 'us', visits = 1 WHERE id = 1
            """)
        let second = try await Self.conveyor(["run", "mirror", "--workspace", workspace])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("column region (STRING) added to table demo.\(source.prefix)_crm.customers"), "\(second.stdout)")
        #expect(second.stdout.contains("column visits (INTEGER) added"), "\(second.stdout)")
        let rows = try Harness.jsonLines(try await Self.bq(["list-rows", "\(source.prefix)_crm.customers", "id"], in: workspace))
        #expect(rows.map { $0["region"] as? String } == ["us", "eu"], "\(rows)")
        #expect(rows.map { ($0["visits"] as? NSNumber)?.intValue } == [1, 7], "\(rows)")
        #expect(rows.map { $0["name"] as? String } == ["one", "two"], "\(rows)")
    }

    @Test("without schemaUpdate, a change carrying a column the table lacks fails clearly and stays in the slot")
    func aNewSourceColumnIsNotDroppedUnseen() async throws {
        let source = try await offloaded { try ChangeCaptureWorkload.make() }
        defer { source.drop() }
        let workspace = try await offloaded { try source.workspace() }
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        #expect(try await Self.conveyor(["run", "mirror", "--workspace", workspace]).status == 0)
        try await Self.psql(source.url, """
            ALTER TABLE crm.customers ADD COLUMN region text, ADD COLUMN unused text;
            INSERT INTO crm.customers VALUES (1, 'one', 'gold', 1.5, '2026-01-01Z', 'eu', NULL)
            """)
        let failed = try await Self.conveyor(["run", "mirror", "--workspace", workspace])
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        // The null column is left out; the one with a value is named, with the ways out.
        #expect(failed.stdout.contains("column region of this change is not in the schema of table demo.\(source.prefix)_crm.customers"),
                "\(failed.stdout)")
        #expect(!failed.stdout.contains("column unused"), "\(failed.stdout)")
        #expect(failed.stdout.contains("was not moved"), "\(failed.stdout)")
        // Once the column exists (the table, still empty, made again with it), the same change is delivered.
        let schema = #"[{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "name", "type": "STRING"}, "#
            + #"{"name": "tier", "type": "STRING"}, {"name": "balance", "type": "NUMERIC"}, {"name": "updated_at", "type": "TIMESTAMP"}, "#
            + #"{"name": "region", "type": "STRING"}]"#
        try schema.write(toFile: workspace + "/customers.json", atomically: true, encoding: .utf8)
        _ = try await Self.bq(["create-table", "\(source.prefix)_crm.customers", workspace + "/customers.json"], in: workspace)
        let delivered = try await Self.conveyor(["run", "mirror", "--workspace", workspace])
        #expect(delivered.status == 0, "\(delivered.stdout)\(delivered.stderr)")
        let rows = try Harness.jsonLines(try await Self.bq(["list-rows", "\(source.prefix)_crm.customers", "id"], in: workspace))
        #expect(rows.map { $0["region"] as? String } == ["eu"], "\(rows)")
    }

    @Test("setup errors name the table, the role or the server setting")
    func setupErrorsAreClear() async throws {
        let source = try await offloaded { try ChangeCaptureWorkload.make() }
        defer { source.drop() }
        try await Self.psql(source.url, """
            CREATE TABLE crm.keyless (a int); DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cdc_plain') THEN CREATE ROLE cdc_plain LOGIN; END IF;
            END $$; GRANT ALL ON SCHEMA crm TO cdc_plain
            """)
        func run(tables: String, user: String = "postgres", slot: String = "s_err") async throws -> String {
            let workspace = try Harness.workspace("cdc-err", files: [
                "connectors/db.xml": """
                    <connection id="db" type="postgresql"><host>\(source.host)</host><port>\(source.port)</port>
                    <database>\(source.database)</database><user>\(user)</user></connection>
                    """,
                "connectors/out.xml": #"<connection id="out" type="disk"><directory>out</directory></connection>"#,
                "connectors/write.xml": #"<operation id="write" type="disk" action="send"><fileName>c.jsonl</fileName></operation>"#,
                "processes/p.xml": """
                    <process id="p"><shapes>
                      <start id="start" next="write"><cdc connection="db" slot="\(slot)" publication="p_\(slot)" tables="\(tables)"/></start>
                      <connector id="write" connection="out" operation="write" next="done"/><stop id="done"/>
                    </shapes></process>
                    """,
            ])
            defer { try? FileManager.default.removeItem(atPath: workspace) }
            let output = try await Self.conveyor(["run", "p", "--workspace", workspace])
            #expect(output.status == 1)
            return output.stdout + output.stderr
        }
        let keyless = try await run(tables: "crm.customers crm.keyless")
        #expect(keyless.contains("table crm.keyless of publication 'p_s_err' has no primary key"), "\(keyless)")
        let missing = try await run(tables: "crm.nowhere", slot: "s_missing")
        #expect(missing.contains("table crm.nowhere (in tables=) does not exist"), "\(missing)")
        try await Self.psql(source.url, "CREATE PUBLICATION p_s_role FOR TABLE crm.customers")
        let role = try await run(tables: "crm.customers", user: "cdc_plain", slot: "s_role")
        #expect(role.contains("role 'cdc_plain' may not create replication slots"), "\(role)")
        #expect(role.contains("ALTER ROLE cdc_plain REPLICATION"), "\(role)")

        let invalid = try Harness.workspace("cdc-invalid", files: [
            "connectors/db.xml": #"<connection id="db" type="postgresql"><host>h</host><database>d</database><user>u</user></connection>"#,
            "processes/p.xml": """
                <process id="p"><shapes>
                  <start id="start" next="done"><cdc connection="db" slot="Bad-Slot" publication="p" tables="crm" maxBatch="0" maxLatency="soon"/></start>
                  <stop id="done"/>
                </shapes></process>
                """,
        ])
        defer { try? FileManager.default.removeItem(atPath: invalid) }
        let validated = try await Self.conveyor(["validate", "--workspace", invalid])
        let said = validated.stdout + validated.stderr
        #expect(validated.status != 0)
        for expected in [#"<cdc slot="Bad-Slot">"#, "'crm' is not schema.table", #"maxBatch="0""#, #"maxLatency="soon""#] {
            #expect(said.contains(expected), "\(said)")
        }
        #expect(said.contains("p.xml:2"), "\(said)")
        #expect(!said.contains("has no start shape"), "\(said)")
    }
}
