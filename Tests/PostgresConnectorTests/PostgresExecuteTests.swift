import Foundation
@testable import PostgresConnector
import ProcessEngine
import ProcessModel
import Testing
import TestSupport

/// `action="execute"` against a real PostgreSQL 15: typed binding, batches, savepoints.
@Suite struct PostgresExecuteTests {
    @Test func everyParameterTypeIsBoundNeverSpliced() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        try database.psql("""
            CREATE TABLE x (id int);
            CREATE TABLE v (t text, i8 bigint, i4 integer, i2 smallint, n numeric, b boolean, f8 double precision,
              f4 real, ts timestamptz, tsl timestamp, d date, j json, jb jsonb, u uuid, bt bytea, vc varchar(40), free text)
            """)
        let types = ["text", "bigint", "integer", "smallint", "numeric", "boolean", "double precision", "real",
                     "timestamptz", "timestamp", "date", "json", "jsonb", "uuid", "bytea", "varchar", nil]
        let columns = ["t", "i8", "i4", "i2", "n", "b", "f8", "f4", "ts", "tsl", "d", "j", "jb", "u", "bt", "vc", "free"]
        let sql = "INSERT INTO v VALUES (" + (1...types.count).map { "$\($0)" }.joined(separator: ", ") + ")"
        let execute = try await makeOperation(database.connection(), operation(
            "execute", sql: sql, parameters: zip(types, columns).map { pathParameter($0, "/" + $1) }))
        let hostile = "'; DROP TABLE x; --"
        let input = """
            {"t":"\(hostile)","i8":9223372036854775807,"i4":-5,"i2":7,"n":"12345678901234567890.123456789",\
            "b":true,"f8":2.5,"f4":0.25,"ts":"2024-05-01T10:30:45.5Z","tsl":"2024-05-01T12:30:45","d":"2024-02-29",\
            "j":{"k":[1,2]},"jb":{"z":1},"u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","bt":"AP9B","vc":"$2 ?",\
            "free":null}
            """
        let outcome = try await execute.execute([document(input, index: 0)], context: context())
        await execute.close()
        #expect(outcome.failures.map(\.message) == [])
        #expect(outcome.outputs.count == 1)
        #expect(try database.psql("SELECT count(*) FROM x") == "0")
        let stored = try database.psql("""
            SELECT t, i8, i4, i2, n, b, f8, f4, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), tsl, d,
              j::text, jb::text, u, encode(bt, 'hex'), vc, free IS NULL FROM v
            """)
        #expect(stored == "\(hostile)|9223372036854775807|-5|7|12345678901234567890.123456789|t|2.5|0.25|"
            + "2024-05-01 10:30:45.500|2024-05-01 12:30:45|2024-02-29|{\"k\":[1,2]}|{\"z\": 1}|"
            + "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|00ff41|$2 ?|t")
    }

    @Test func aConstraintViolationFailsOnlyItsDocument() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        try database.psql("CREATE SCHEMA shop; CREATE TABLE shop.orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY, total numeric)")
        let execute = try await makeOperation(database.connection(), operation(
            "execute", sql: "INSERT INTO shop.orders (id, total) VALUES ($1, $2)",
            parameters: [pathParameter("bigint", "/id"), pathParameter("numeric", "/total")], batchCount: 3))
        let inputs = [1, 2, 1, 3, 4, 2, 5].enumerated().map { index, id in
            document(#"{"id":\#(id),"total":"\#(id).50"}"#, index: index)
        }
        let outcome = try await execute.execute(inputs, context: context())
        await execute.close()
        #expect(outcome.outputs.map(\.index) == [0, 1, 3, 4, 6])
        #expect(outcome.failures.map(\.document.index) == [2, 5])
        let message = outcome.failures.first?.message ?? ""
        #expect(message.contains("operation 'op' on \(database.host):\(database.port): "))
        #expect(message.contains(#"duplicate key value violates unique constraint "orders_pkey""#))
        #expect(message.contains("23505"))
        #expect(try database.psql("SELECT string_agg(id || '=' || total, ',' ORDER BY id) FROM shop.orders")
                == "1=1.50,2=2.50,3=3.50,4=4.50,5=5.50")
    }

    @Test func upsertUpdatesAndBadValuesFailAlone() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        try database.psql("CREATE TABLE o (id bigint PRIMARY KEY, total numeric NOT NULL)")
        let execute = try await makeOperation(database.connection(), operation(
            "execute", sql: "INSERT INTO o VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total",
            parameters: [pathParameter("bigint", "/id"), pathParameter("numeric", "/total")]))
        let outcome = try await execute.execute([
            document(#"{"id":1,"total":1}"#, index: 0), document(#"{"id":"x","total":1}"#, index: 1),
            document(#"{"id":2}"#, index: 2), document(#"{"id":1,"total":9.75}"#, index: 3),
        ], context: context())
        await execute.close()
        #expect(outcome.outputs.map(\.index) == [0, 3])
        #expect(outcome.failures.map(\.document.index) == [1, 2])
        #expect(outcome.failures.first?.message.contains("invalid input syntax for type bigint") == true)
        #expect(outcome.failures.last?.message.contains("null value in column \"total\"") == true)
        #expect(try database.psql("SELECT id || '=' || total FROM o") == "1=9.75")
    }
}

/// Connection settings and failures.
@Suite struct PostgresConnectionTests {
    @Test func anUnknownDatabaseNamesTheConnectionAndServer() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let error = await #expect(throws: PostgresConnectorError.self) {
            _ = try await makeOperation(database.connection(database: "no_such_db"), operation("query", sql: "SELECT 1"))
        }
        #expect(error?.message.contains("connection 'crm-db' (\(database.host):\(database.port))") == true)
        #expect(error?.message.contains(#"database "no_such_db" does not exist"#) == true)
    }

    @Test func aWrongPasswordNamesTheServerButNotThePassword() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        // The test server trusts every login; this role alone must give a password.
        let role = "pw_" + database.name.suffix(16)
        try database.psql("CREATE ROLE \(role) LOGIN PASSWORD 'right-secret-1'")
        defer { _ = try? database.psql("DROP ROLE IF EXISTS \(role)") }
        try requirePassword(for: role, database: database)
        let wrong = "wrong-secret-9"
        let error = await #expect(throws: PostgresConnectorError.self) {
            _ = try await makeOperation(database.connection(user: role, password: wrong), operation("query", sql: "SELECT 1"))
        }
        let message = error?.message ?? ""
        #expect(message.contains("connection 'crm-db' (\(database.host):\(database.port))"))
        #expect(message.contains("password authentication failed for user \"\(role)\""))
        #expect(!message.contains(wrong))
        let right = try await makeOperation(database.connection(user: role, password: "right-secret-1"),
                                            operation("query", sql: "SELECT 1 AS one"))
        #expect(try await readAll(right, context: context()).rows == [#"{"one":1}"#])
        await right.close()
    }

    @Test func nobodyListensAtTheAddress() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let error = await #expect(throws: PostgresConnectorError.self) {
            _ = try await makeOperation(database.connection(extra: ["port": "1"]), operation("query", sql: "SELECT 1"))
        }
        #expect(error?.message.contains("connection 'crm-db' (\(database.host):1): cannot connect") == true)
    }

    @Test func tlsIsOnAndVerifiedUnlessTheHostIsLoopback() throws {
        func mode(_ host: String, _ extra: [String: String] = [:]) throws -> PostgresSSLMode {
            var connection = TestDatabase.definition(host: host)
            for (name, value) in extra {
                connection.settings.children.append(SettingsElement(name: name, text: value, location: connection.location))
            }
            return try PostgresConnectionSettings.parse(connection, workspaceRoot: "/w").get().sslMode
        }
        #expect(try mode("db.example.com") == .verifyFull)
        #expect(try mode("10.0.0.5") == .verifyFull)
        #expect(try mode("127.0.0.1") == .disable)
        #expect(try mode("localhost") == .disable)
        #expect(try mode("::1") == .disable)
        #expect(try mode("db.example.com", ["sslmode": "require"]) == .require)
        #expect(try mode("127.0.0.1", ["sslmode": "verify-full"]) == .verifyFull)
    }

    @Test func tlsRequiredOfAServerWithoutItIsRefusedClearly() async throws {
        let database = try TestDatabase()
        defer { database.drop() }
        let error = await #expect(throws: PostgresConnectorError.self) {
            _ = try await makeOperation(database.connection(extra: ["sslmode": "require"]), operation("query", sql: "SELECT 1"))
        }
        #expect(error?.message.contains("connection 'crm-db' (\(database.host):\(database.port)): cannot connect: "
                                        + "the server does not offer TLS") == true, "\(String(describing: error))")
    }

    @Test func settingsAreCheckedWithTheirLines() throws {
        let connector = PostgresConnector()
        let location = SourceLocation(file: "connectors/db.xml", line: 1)
        let connection = ConnectionDefinition(id: "db", type: "postgresql", settings: SettingsElement(
            name: "connection", children: [
                SettingsElement(name: "host", text: "db.example.com", location: SourceLocation(file: "connectors/db.xml", line: 2)),
                SettingsElement(name: "port", text: "99999", location: SourceLocation(file: "connectors/db.xml", line: 3)),
                SettingsElement(name: "sslmode", text: "prefer", location: SourceLocation(file: "connectors/db.xml", line: 4)),
                SettingsElement(name: "poolSize", text: "0", location: SourceLocation(file: "connectors/db.xml", line: 5)),
            ], location: location), location: location)
        let bad = operation("fetch", sql: "", parameters: [parameter("money", ["source": "profile"])], id: "op")
        let found = connector.validate(connection: connection, operation: bad).map(\.description)
        #expect(found == [
            "connectors/db.xml:1:1: error: postgresql connection 'db' needs a <database>",
            "connectors/db.xml:1:1: error: postgresql connection 'db' needs a <user>",
            "connectors/db.xml:3:1: error: <port> must be a whole number from 1 to 65535, not '99999'",
            "connectors/db.xml:5:1: error: <poolSize> must be a whole number from 1 to 64, not '0'",
            "connectors/db.xml:4:1: error: <sslmode> must be disable, require or verify-full, not 'prefer'",
            "connectors/op.xml:1:1: error: postgresql operation 'op' has action 'fetch': use query or execute",
            "connectors/op.xml:2:1: error: postgresql operation 'op' needs a <sql> statement",
            "connectors/op.xml:3:1: error: parameter $1: 'money' is not a type this connector binds (text, varchar, "
                + "bigint, integer, smallint, numeric, boolean, double precision, real, timestamptz, timestamp, date, "
                + "json, jsonb, uuid, bytea)",
            "connectors/op.xml:3:1: error: <value source=\"profile\"> needs a 'path' attribute",
        ])
    }

    /// Makes the test server ask `role` for its password (a line for that role alone, ahead of the
    /// `trust` lines), then reloads its configuration.
    private func requirePassword(for role: String, database: TestDatabase) throws {
        let file = try database.psql("SHOW hba_file")
        let current = try database.psql("SELECT pg_read_file('\(file)')")
        let line = "host all \(role) 127.0.0.1/32 scram-sha-256"
        let lines = ([line] + current.split(separator: "\n").map(String.init))
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let values = lines.map { "('" + $0.replacingOccurrences(of: "'", with: "''") + "')" }.joined(separator: ",")
        try database.psql("""
            COPY (SELECT l FROM (VALUES \(values)) AS v(l)) TO '\(file)' WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01');
            SELECT pg_reload_conf()
            """)
        // The reload is asynchronous: wait until a login without the password is refused.
        let asRole = "postgres://\(role):not-the-password@\(database.host):\(database.port)/\(database.name)"
        for _ in 0..<50 {
            guard (try? TestPostgres.psql(asRole, "SELECT 1")) != nil else { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
