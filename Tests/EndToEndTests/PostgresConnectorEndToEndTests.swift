import Foundation
import Testing
import TestSupport

/// The `postgresql` connector through the built binary: a query start shape feeding a disk
/// connector, and an execute connector shape fed from a JSON lines inbox, one document of which
/// breaks a constraint and fails alone.
@Suite("the postgresql connector end to end",
       .enabled(if: WorkspaceStore.onSQLite, "each test makes its own PostgreSQL database; once is enough"))
struct PostgresConnectorEndToEndTests {
    @Test func queryToDiskAndInboxToExecute() throws {
        let url = try TestPostgres.createDatabase(prefix: "pgconn_e2e")
        defer { TestPostgres.dropDatabase(url) }
        let components = try #require(URLComponents(string: url))
        let host = components.host ?? "127.0.0.1", port = components.port ?? 5432
        let database = String(components.path.dropFirst())
        try TestPostgres.psql(url, """
            CREATE SCHEMA crm; CREATE SCHEMA shop;
            CREATE TABLE crm.customers (id bigint PRIMARY KEY, name text, tier text, balance numeric, updated_at timestamptz);
            INSERT INTO crm.customers SELECT g, 'name ' || g, CASE WHEN g % 2 = 0 THEN 'gold' ELSE 'basic' END,
              g * 1000000000000 + 0.01, '2024-01-01Z'::timestamptz + g * interval '1 minute' FROM generate_series(1, 3000) g;
            CREATE TABLE shop.orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY, total numeric NOT NULL)
            """)
        let connection = """
            <connection id="crm-db" type="postgresql">
              <host>\(host)</host><port>\(port)</port><database>\(database)</database><user>postgres</user>
              <password>${secret:CRM_DB_PASSWORD}</password><sslmode>disable</sslmode>
            </connection>
            """
        var orders = ""
        for id in 1...500 {
            orders += #"{"id": \#(id), "total": "\#(id).25"}"# + "\n"
            // Line 251 (document 250) repeats an id: it alone fails, in a batch of 100.
            if id == 250 { orders += #"{"id": 7, "total": "99"}"# + "\n" }
        }
        let workspace = try Harness.workspace("pgconn", files: Harness.jsonLinesInbox.merging([
            "connectors/crm-db.xml": connection,
            "connectors/read-customers.xml": """
                <operation id="read-customers" type="postgresql" action="query">
                  <sql>SELECT id, name, tier, balance, updated_at FROM crm.customers WHERE updated_at > $1 ORDER BY id</sql>
                  <parameter type="timestamptz"><value source="process" property="lastRun"/></parameter>
                </operation>
                """,
            "connectors/save-orders.xml": """
                <operation id="save-orders" type="postgresql" action="execute">
                  <sql>INSERT INTO shop.orders (id, total) VALUES ($1, $2)</sql>
                  <parameter type="bigint"><value source="profile" path="/id"/></parameter>
                  <parameter type="numeric"><value source="profile" path="/total"/></parameter>
                  <batchCount>100</batchCount>
                </operation>
                """,
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": """
                <operation id="write" type="disk" action="send"><fileName>customers.jsonl</fileName><append>true</append></operation>
                """,
            "processes/export.xml": """
                <process id="export" name="Export customers">
                  <properties><property name="lastRun" value="2024-01-01T00:30:00Z"/></properties>
                  <shapes>
                    <start id="start" next="write"><connector connection="crm-db" operation="read-customers"/></start>
                    <connector id="write" connection="outbox" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "processes/load.xml": """
                <process id="load" name="Load orders">
                  <shapes>
                    <start id="start" next="save"><connector connection="inbox" operation="read"/></start>
                    <connector id="save" connection="crm-db" operation="save-orders" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "in/orders.jsonl": orders,
        ]) { $1 })
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let secret = ["CONVEYOR_SECRET_CRM_DB_PASSWORD": "not-needed-on-trust"]

        let validated = try Harness.conveyor(["validate", "--workspace", workspace], environment: secret)
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")

        let exported = try Harness.conveyor(["run", "export", "--workspace", workspace], environment: secret)
        #expect(exported.status == 0, "\(exported.stdout)\(exported.stderr)")
        let lines = try Harness.jsonLines(String(contentsOfFile: workspace + "/out/customers.jsonl", encoding: .utf8))
        #expect(lines.count == 2_970)
        let text = try String(contentsOfFile: workspace + "/out/customers.jsonl", encoding: .utf8)
        #expect(text.hasPrefix(#"{"id":31,"name":"name 31","tier":"basic","balance":31000000000000.01,"#
            + #""updated_at":"2024-01-01T00:31:00Z"}"#))
        #expect(text.contains(#"{"id":3000,"name":"name 3000","tier":"gold","balance":3000000000000000.01,"#))

        let loaded = try Harness.conveyor(["run", "load", "--workspace", workspace], environment: secret)
        let said = loaded.stdout + loaded.stderr
        // A failed document makes the execution ERROR (exit 1); the other 500 are in the table.
        #expect(loaded.status == 1, "\(said)")
        #expect(said.contains("ERROR"), "\(said)")
        #expect(try TestPostgres.psql(url, "SELECT count(*), sum(total) FROM shop.orders") == "500|125375.00")
        #expect(said.contains("500 out, 1 failed"), "\(said)")
        #expect(said.contains("failed document 250 at shape 'save'"), "\(said)")
        #expect(said.contains(#"duplicate key value violates unique constraint "orders_pkey""#), "\(said)")
        #expect(!said.contains("not-needed-on-trust"))
    }
}
