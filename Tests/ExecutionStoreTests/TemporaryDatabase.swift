import Foundation
@testable import ExecutionStore

/// A fresh directory for one test's database files, removed when the test ends.
struct TemporaryDatabase: ~Copyable {
    let directory: URL
    /// The store to open: a database file inside a nested, not yet existing directory, or — when
    /// the tests run against PostgreSQL (`CONVEYOR_TEST_STORE=postgres`) — a new, empty database.
    let path: String
    /// The SQLite file a test may also open directly (the same as `path` on SQLite).
    var filePath: String { directory.appendingPathComponent("data/executions.sqlite").path }

    /// Whether the store tests run against PostgreSQL rather than SQLite.
    static var onPostgres: Bool { ProcessInfo.processInfo.environment["CONVEYOR_TEST_STORE"] == "postgres" }
    /// Whether the store tests run against SQLite (tests of the database file itself need it).
    static var onSQLite: Bool { !onPostgres }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("conveyor-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if Self.onPostgres {
            path = try TestDatabaseServer.createDatabase()
        } else {
            path = directory.appendingPathComponent("data/executions.sqlite").path
        }
    }

    /// Creates the database as an older release left it: the first `version` migrations, then
    /// `rows` (SQL) written into that schema.
    func createOldStore(version: Int, rows: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let raw = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        for script in Schema.migrations.prefix(version) { try raw.executeScript(script, operation: "old schema") }
        try raw.executeScript("PRAGMA user_version = \(version);\n" + rows, operation: "old rows")
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
        if Self.onPostgres { TestDatabaseServer.dropDatabase(path) }
    }
}

/// A date with whole milliseconds, so it survives the store's millisecond precision unchanged.
func date(_ milliseconds: Int64) -> Date {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000)
}

/// Databases for the store tests on the PostgreSQL server `CONVEYOR_TEST_POSTGRES` names.
enum TestDatabaseServer {
    static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["CONVEYOR_TEST_POSTGRES"], !url.isEmpty else {
            throw StoreError(operation: "create a test database",
                             message: "CONVEYOR_TEST_POSTGRES is not set; start a server with scripts/postgres.sh start DIR",
                             path: "")
        }
        return url
    }

    /// Creates a new, empty database and returns its URL.
    static func createDatabase() throws -> String {
        let server = try serverURL()
        let name = "store_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(server, "CREATE DATABASE \(name)")
        guard let slash = server.range(of: "/", options: .backwards) else { return server }
        return String(server[..<slash.lowerBound]) + "/" + name
    }

    static func dropDatabase(_ url: String) {
        guard let server = try? serverURL(), let slash = url.range(of: "/", options: .backwards) else { return }
        _ = try? psql(server, "DROP DATABASE IF EXISTS \(url[slash.upperBound...]) WITH (FORCE)")
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw StoreError(operation: "psql", message: text, path: url)
        }
        return text
    }
}

/// A connection of its own to the store at `path` (a file or a `postgres://` URL), for tests that
/// read or tamper with rows directly.
func openRaw(_ path: String) throws -> any StoreConnection {
    if PostgresLocation.isURL(path) {
        return try PostgresStoreConnection(location: PostgresLocation(url: path), purpose: "test")
    }
    return try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
}
