import Foundation
import Synchronization

/// Which execution store the host and end-to-end tests use: the workspace's SQLite file (the
/// default), or — with `CONVEYOR_TEST_STORE=postgres` — a fresh PostgreSQL database per workspace
/// on the server `CONVEYOR_TEST_POSTGRES` names, handed to every `conveyor` command of that
/// workspace through `CONVEYOR_STORE`. The databases are dropped when the test process exits.
public enum TestStore {
    /// `CONVEYOR_TEST_STORE`: `postgres` runs the store-facing tests on PostgreSQL.
    public static let environmentVariable = "CONVEYOR_TEST_STORE"

    /// Whether the tests run against PostgreSQL rather than SQLite.
    public static var onPostgres: Bool { ProcessInfo.processInfo.environment[environmentVariable] == "postgres" }
    /// Whether the tests run against SQLite (tests of the database file itself need it).
    public static var onSQLite: Bool { !onPostgres }

    /// The databases created so far, by workspace (standardised path).
    private static let databases = Mutex<[String: String]>([:])
    private static let cleanup = Mutex(false)

    /// A fresh store that belongs to no workspace: a new database on PostgreSQL, else `sqlitePath`.
    public static func fresh(sqlitePath: String, prefix: String = "t") throws -> String {
        guard onPostgres else { return sqlitePath }
        let url = try TestPostgres.createDatabase(prefix: prefix)
        remember(url, for: "\u{0}" + url)
        return url
    }

    /// The store of the workspace at `root`: its `.conveyor/executions.sqlite`, or on PostgreSQL the
    /// workspace's database (created on first use, the same for every later call).
    public static func location(forWorkspace root: String) throws -> String {
        let key = standardized(root)
        guard onPostgres else { return key + "/.conveyor/executions.sqlite" }
        if let known = databases.withLock({ $0[key] }) { return known }
        let url = try TestPostgres.createDatabase(prefix: "ws")
        let chosen = remember(url, for: key)
        if chosen != url { TestPostgres.dropDatabase(url) }
        return chosen
    }

    /// What a `conveyor` command of the workspace at `root` needs in its environment: on
    /// PostgreSQL `CONVEYOR_STORE` set to the workspace's database; nothing on SQLite.
    public static func environment(forWorkspace root: String) throws -> [String: String] {
        guard onPostgres else { return [:] }
        return ["CONVEYOR_STORE": try location(forWorkspace: root)]
    }

    /// Runs `sql` on the store at `location` outside the code under test, with `sqlite3` on a file
    /// or `psql` on a `postgres://` URL; returns the rows as `a|b` lines; throws when the tool fails.
    @discardableResult
    public static func execute(_ sql: String, on location: String) throws -> String {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            return try TestPostgres.psql(location, sql)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [location, sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw TestPostgres.Failure(description: "sqlite3 \(location) failed running \(sql): \(text)")
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// Records `url` as the database of `key` unless another call got there first; returns the one kept.
    @discardableResult
    private static func remember(_ url: String, for key: String) -> String {
        let kept = databases.withLock { known -> String in
            if let existing = known[key] { return existing }
            known[key] = url
            return url
        }
        let register = cleanup.withLock { registered -> Bool in
            defer { registered = true }
            return !registered
        }
        if register { atexit { TestStore.dropAll() } }
        return kept
    }

    /// Drops every database this process created.
    private static func dropAll() {
        let all = databases.withLock { known -> [String] in
            defer { known = [:] }
            return Array(known.values)
        }
        TestPostgres.dropDatabases(all)
    }

    private static func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }
}
