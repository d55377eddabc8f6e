import Foundation
import Testing
import TestSupport

/// A source database for change data capture tests: two schemas, three tables (one with a
/// TOASTed column, one with a two-column key), a procedure that changes them at random in many
/// small transactions, and a BigQuery dataset pair mirroring them.
struct ChangeCaptureWorkload {
    let url: String
    let host: String
    let port: Int
    let database: String
    /// The BigQuery datasets are `\(prefix)_crm` and `\(prefix)_shop`.
    let prefix: String
    static let tables = ["crm.customers", "crm.notes", "shop.orders"]
    /// A server of the test's own: creating a replication slot waits for every transaction open on
    /// the server, and other tests hold some on the shared one.
    let server: PrivatePostgres

    static func make() throws -> ChangeCaptureWorkload {
        let server = try PrivatePostgres()
        let url = try TestPostgres.createDatabase(prefix: "cdc_e2e", environment: ["CONVEYOR_TEST_POSTGRES": server.url])
        let components = try #require(URLComponents(string: url))
        try TestPostgres.psql(url, """
            CREATE SCHEMA crm; CREATE SCHEMA shop;
            CREATE TABLE crm.customers (id bigint PRIMARY KEY, name text, tier text, balance numeric(14,2), updated_at timestamptz);
            CREATE TABLE crm.notes (id bigint PRIMARY KEY, customer bigint, body text, small int);
            ALTER TABLE crm.notes ALTER COLUMN body SET STORAGE EXTERNAL;
            CREATE TABLE shop.orders (tenant text, id bigint, total numeric(12,2), PRIMARY KEY (tenant, id));
            CREATE PROCEDURE churn(session int, changes int) LANGUAGE plpgsql AS $$
            DECLARE
              base bigint := session * 100000;
              k bigint; r float8; moved bigint;
            BEGIN
              FOR i IN 1..changes LOOP
                k := base + floor(random() * 150)::bigint;
                r := random();
                IF i % 3 = 0 THEN
                  IF r < 0.6 THEN
                    INSERT INTO crm.customers VALUES (k, 'name "' || k || '" \\ ü🚀 '' ' || i, CASE WHEN r < 0.3 THEN 'gold' ELSE 'basic' END,
                      round((random() * 100000)::numeric, 2), clock_timestamp())
                    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, balance = EXCLUDED.balance, updated_at = EXCLUDED.updated_at;
                  ELSIF r < 0.8 THEN
                    DELETE FROM crm.customers WHERE id = k;
                    IF NOT FOUND THEN INSERT INTO crm.customers VALUES (k, 'new ' || k, NULL, 0, clock_timestamp()); END IF;
                  ELSE
                    -- The key itself changes: the old row goes, a new one comes.
                    moved := k + 50000;
                    IF EXISTS (SELECT 1 FROM crm.customers WHERE id = k) AND NOT EXISTS (SELECT 1 FROM crm.customers WHERE id = moved) THEN
                      UPDATE crm.customers SET id = moved, tier = 'moved' WHERE id = k;
                    ELSE
                      INSERT INTO crm.customers VALUES (moved, 'fresh', 'x', 1.5, clock_timestamp())
                      ON CONFLICT (id) DO UPDATE SET name = 'again', updated_at = clock_timestamp();
                    END IF;
                  END IF;
                ELSIF i % 3 = 1 THEN
                  IF r < 0.4 THEN
                    INSERT INTO crm.notes VALUES (k, k, repeat(md5(random()::text), 120), 0)
                    ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, small = crm.notes.small + 1;
                  ELSIF r < 0.85 THEN
                    -- Only a small column changes: the TOASTed body is not in the change.
                    UPDATE crm.notes SET small = small + 1 WHERE id = k;
                    IF NOT FOUND THEN INSERT INTO crm.notes VALUES (k, k, repeat('n', 3000) || k, 0); END IF;
                  ELSE
                    DELETE FROM crm.notes WHERE id = k;
                    IF NOT FOUND THEN INSERT INTO crm.notes VALUES (k, NULL, NULL, 1); END IF;
                  END IF;
                ELSE
                  IF r < 0.7 THEN
                    INSERT INTO shop.orders VALUES ('t' || session, k % 40, round((random() * 1000)::numeric, 2))
                    ON CONFLICT (tenant, id) DO UPDATE SET total = EXCLUDED.total;
                  ELSE
                    DELETE FROM shop.orders WHERE tenant = 't' || session AND id = k % 40;
                    IF NOT FOUND THEN INSERT INTO shop.orders VALUES ('t' || session, k % 40, 0.5); END IF;
                  END IF;
                END IF;
                IF i % 5 = 0 THEN COMMIT; END IF;
              END LOOP;
              COMMIT;
            END $$;
            """)
        return ChangeCaptureWorkload(url: url, host: components.host ?? "127.0.0.1", port: components.port ?? 5432,
                                     database: String(components.path.dropFirst()),
                                     prefix: "cdc" + UUID().uuidString.prefix(8).lowercased(), server: server)
    }

    /// Stops and removes the server.
    func drop() {
        server.remove()
    }

    /// The workspace: process `mirror` with a `<cdc>` start shape, storage-write MERGE into `\(prefix)_{schema}.{table}`.
    func workspace(maxBatch: Int = 1000, maxLatency: String = "300ms", options: String = "",
                   extra: [String: String] = [:]) throws -> String {
        let root = try Harness.workspace("cdc", files: [
            "connectors/db.xml": """
                <connection id="db" type="postgresql">
                  <host>\(host)</host><port>\(port)</port><database>\(database)</database><user>postgres</user>
                </connection>
                """,
            "connectors/bq.xml": """
                <connection id="bq" type="google-bigquery">
                  <projectId>demo</projectId><auth grant="none"/>
                  <retry maxAttempts="3" initialBackoff="100ms" maxBackoff="1s"/>
                </connection>
                """,
            "connectors/to-bigquery.xml": """
                <operation id="to-bigquery" type="google-bigquery" action="streaming-insert">
                  <api>storage-write</api>
                  <datasetId>\(prefix)_{schema}</datasetId>
                  <tableId>{table}</tableId>
                  <uniqueConstraints conflict="UPDATE">{key_columns}</uniqueConstraints>
                  \(options)
                </operation>
                """,
            "processes/mirror.xml": """
                <process id="mirror" name="Mirror the CRM">
                  <shapes>
                    <start id="start" next="write">
                      <cdc connection="db" slot="mirror_slot" publication="mirror_pub"
                           tables="\(Self.tables.joined(separator: " "))" maxBatch="\(maxBatch)" maxLatency="\(maxLatency)" snapshot="true"/>
                    </start>
                    <connector id="write" connection="bq" operation="to-bigquery" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ].merging(extra) { $1 })
        for (table, fixture) in [("crm.customers", "cdc-customers"), ("crm.notes", "cdc-notes"), ("shop.orders", "cdc-orders")] {
            _ = try Harness.bq(["create-table", "\(prefix)_\(table)",
                                Harness.packageRoot + "/Tests/EndToEndTests/Fixtures/\(fixture).json"], in: root)
        }
        return root
    }

    /// Runs `churn` in `sessions` concurrent sessions, `changes` row changes each (about a fifth
    /// as many transactions).
    func churn(sessions: Int, changes: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for session in 1...sessions {
                let url = url
                group.addTask { _ = try await offloaded { try TestPostgres.psql(url, "CALL churn(\(session), \(changes))") } }
            }
            try await group.waitForAll()
        }
    }

    /// Each table's rows as sorted canonical lines, from PostgreSQL.
    func sourceRows() throws -> [String: [String]] {
        let queries = [
            "crm.customers": "SELECT id || '|' || coalesce(name, '∅') || '|' || coalesce(tier, '∅') || '|' || coalesce(trim_scale(balance)::text, '∅') || '|' || coalesce(to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '∅') FROM crm.customers",
            "crm.notes": "SELECT id || '|' || coalesce(customer::text, '∅') || '|' || coalesce(length(body) || ':' || left(body, 12) || right(body, 12), '∅') || '|' || coalesce(small::text, '∅') FROM crm.notes",
            "shop.orders": "SELECT tenant || '|' || id || '|' || coalesce(trim_scale(total)::text, '∅') FROM shop.orders",
        ]
        var result: [String: [String]] = [:]
        for (table, sql) in queries {
            let text = try TestPostgres.psql(url, sql)
            result[table] = text.split(separator: "\n").map(String.init).sorted()
        }
        return result
    }

    /// The same lines from the BigQuery tables.
    func targetRows(in workspace: String) throws -> [String: [String]] {
        func text(_ value: Any?) -> String {
            switch value {
            case let number as NSNumber: return number.stringValue
            case let string as String: return string
            default: return "∅"
            }
        }
        func time(_ value: Any?) -> String {
            guard var text = value as? String else { return "∅" }
            if text.hasSuffix("+00:00") { text.removeLast(6) }
            if !text.contains(".") { text += ".000000" }
            return text
        }
        var result: [String: [String]] = [:]
        for table in Self.tables {
            let rows = try Harness.jsonLines(try Harness.bq(["list-rows", "\(prefix)_\(table)"], in: workspace))
            result[table] = rows.map { row in
                switch table {
                case "crm.customers":
                    return [text(row["id"]), text(row["name"]), text(row["tier"]), text(row["balance"]), time(row["updated_at"])].joined(separator: "|")
                case "crm.notes":
                    let body = (row["body"] as? String).map { "\($0.count):\($0.prefix(12))\($0.suffix(12))" } ?? "∅"
                    return [text(row["id"]), text(row["customer"]), body, text(row["small"])].joined(separator: "|")
                default:
                    return [text(row["tenant"]), text(row["id"]), text(row["total"])].joined(separator: "|")
                }
            }.sorted()
        }
        return result
    }

    /// Waits until every BigQuery table equals its source table (or `timeout` passes); returns the
    /// last differences (empty when equal).
    func waitUntilMirrored(_ workspace: String, timeout: Duration) async throws -> [String] {
        let source = try await offloaded { try self.sourceRows() }
        let deadline = ContinuousClock.now + timeout
        var differences: [String] = []
        repeat {
            let target = try await offloaded { try self.targetRows(in: workspace) }
            differences = Self.tables.compactMap { table in
                let want = source[table] ?? [], have = target[table] ?? []
                guard want != have else { return nil }
                let missing = Set(want).subtracting(have).sorted().prefix(3)
                let extra = Set(have).subtracting(want).sorted().prefix(3)
                return "\(table): \(want.count) rows in PostgreSQL, \(have.count) in BigQuery; missing \(Array(missing)); extra \(Array(extra))"
            }
            if differences.isEmpty { return [] }
            try await Task.sleep(for: .seconds(2))
        } while ContinuousClock.now < deadline
        return differences
    }
}
