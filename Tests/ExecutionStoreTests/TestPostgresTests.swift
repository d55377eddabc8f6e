import Foundation
import Testing
import TestSupport

/// The PostgreSQL server `scripts/postgres.sh` starts for the tests (`CONVEYOR_TEST_POSTGRES`):
/// fresh databases per test, logical decoding with the wal2json output plugin. These tests fail,
/// never skip, when the server is not there.
@Suite struct TestPostgresTests {
    /// The tables, views and sequences outside the system schemas.
    private static let userRelations = """
        SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        """

    @Test func createDatabaseMakesFreshDistinctEmptyDatabases() throws {
        let first = try TestPostgres.createDatabase(prefix: "infra")
        defer { TestPostgres.dropDatabase(first) }
        let second = try TestPostgres.createDatabase(prefix: "infra")
        defer { TestPostgres.dropDatabase(second) }

        let firstName = try TestPostgres.psql(first, "SELECT current_database()")
        let secondName = try TestPostgres.psql(second, "SELECT current_database()")
        #expect(firstName != secondName)
        #expect(firstName.hasPrefix("infra_") && secondName.hasPrefix("infra_"))
        #expect(first.hasSuffix("/\(firstName)") && second.hasSuffix("/\(secondName)"))
        #expect(try TestPostgres.psql(first, Self.userRelations) == "0")
        #expect(try TestPostgres.psql(second, Self.userRelations) == "0")

        try TestPostgres.psql(first, "CREATE TABLE marker (id integer); INSERT INTO marker VALUES (1), (2)")
        #expect(try TestPostgres.psql(first, "SELECT id FROM marker ORDER BY id") == "1\n2")
        #expect(try TestPostgres.psql(second, "SELECT to_regclass('marker') IS NULL") == "t")
        #expect(try TestPostgres.psql(second, Self.userRelations) == "0")
    }

    @Test func dropDatabaseRemovesIt() throws {
        let url = try TestPostgres.createDatabase(prefix: "drop")
        let name = try TestPostgres.psql(url, "SELECT current_database()")
        let server = try #require(TestPostgres.serverURL)
        #expect(try TestPostgres.psql(server, "SELECT count(*) FROM pg_database WHERE datname = '\(name)'") == "1")
        TestPostgres.dropDatabase(url)
        #expect(try TestPostgres.psql(server, "SELECT count(*) FROM pg_database WHERE datname = '\(name)'") == "0")
    }

    @Test func dropDatabasesRemovesSeveralAtOnceEvenWhileConnected() throws {
        let urls = try (0..<3).map { _ in try TestPostgres.createDatabase(prefix: "drops") }
        let names = try urls.map { try TestPostgres.psql($0, "SELECT current_database()") }
        let server = try #require(TestPostgres.serverURL)
        let count = "SELECT count(*) FROM pg_database WHERE datname IN ('\(names.joined(separator: "', '"))')"
        #expect(try TestPostgres.psql(server, count) == "3")
        // A session still open on one of them (as a test's store may leave) does not keep it.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: TestPostgres.psqlPath)
        holder.arguments = ["-X", "-q", "--dbname=\(urls[0])", "-c", "SELECT pg_sleep(30)"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        let open = "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(names[0])'"
        for _ in 0..<100 {
            guard try TestPostgres.psql(server, open) == "0" else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        TestPostgres.dropDatabases(urls + ["postgres://postgres@127.0.0.1:1/postgres"])
        #expect(try TestPostgres.psql(server, count) == "0")
    }

    @Test func psqlReportsTheServersError() throws {
        let url = try TestPostgres.createDatabase(prefix: "errors")
        defer { TestPostgres.dropDatabase(url) }
        let error = #expect(throws: TestPostgres.Failure.self) {
            try TestPostgres.psql(url, "SELECT * FROM missing_table")
        }
        #expect(error?.description.contains("relation \"missing_table\" does not exist") == true)
    }

    /// wal2json loads by name when a slot is created (PostgreSQL 15 has no setting listing output
    /// plugins), and a change is decoded right after its commit: the server keeps
    /// synchronous_commit on, so committed WAL is flushed and visible to decoding at once.
    @Test func logicalDecodingWithWal2json() throws {
        let url = try TestPostgres.createDatabase(prefix: "wal")
        defer { TestPostgres.dropDatabase(url) }
        #expect(try TestPostgres.psql(url, "SHOW wal_level") == "logical")

        // Slots belong to the whole server: name this one after the test's own database.
        let slot = "slot_" + (try TestPostgres.psql(url, "SELECT current_database()"))
        try TestPostgres.psql(url, "CREATE TABLE orders (id integer PRIMARY KEY, status text)")
        try TestPostgres.psql(url, "SELECT pg_create_logical_replication_slot('\(slot)', 'wal2json')")
        defer { _ = try? TestPostgres.psql(url, "SELECT pg_drop_replication_slot('\(slot)')") }
        try TestPostgres.psql(url, "INSERT INTO orders VALUES (1, 'new')")

        let changes = try TestPostgres.psql(url, "SELECT data FROM pg_logical_slot_get_changes('\(slot)', NULL, NULL)")
        #expect(changes.contains(#""kind":"insert""#), "changes: \(changes)")
        #expect(changes.contains(#""table":"orders""#), "changes: \(changes)")
        #expect(changes.contains(#""columnvalues":[1,"new"]"#), "changes: \(changes)")

        try TestPostgres.psql(url, "SELECT pg_drop_replication_slot('\(slot)')")
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\(slot)'") == "0")
    }

    @Test func withoutTheServerTheErrorSaysHowToStartOne() {
        let error = #expect(throws: TestPostgres.Failure.self) {
            try TestPostgres.createDatabase(environment: [:])
        }
        #expect(error?.description.contains("CONVEYOR_TEST_POSTGRES is not set") == true)
        #expect(error?.description.contains("scripts/postgres.sh start DIR") == true)
    }

    @Test func createDatabaseRejectsAPrefixThatIsNoPlainName() {
        for prefix in ["", "T", "1t", "t-x", "t;drop", String(repeating: "a", count: 31)] {
            let error = #expect(throws: TestPostgres.Failure.self) {
                try TestPostgres.createDatabase(prefix: prefix, environment: ["CONVEYOR_TEST_POSTGRES": "postgres://postgres@127.0.0.1:1/postgres"])
            }
            #expect(error?.description.hasPrefix("database prefix") == true, "prefix \(prefix)")
        }
    }
}
