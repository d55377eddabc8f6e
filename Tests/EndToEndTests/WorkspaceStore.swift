import ExecutionStore
import Foundation
import TestSupport

/// The execution store of a test workspace, as the tests see it from outside the binary: the
/// workspace's `.conveyor/executions.sqlite`, or — with `CONVEYOR_TEST_STORE=postgres` — the
/// PostgreSQL database every `conveyor` command of that workspace is given (see `TestStore`).
enum WorkspaceStore {
    static var onPostgres: Bool { TestStore.onPostgres }
    static var onSQLite: Bool { TestStore.onSQLite }

    /// The store's location: the SQLite file, or the database's URL (`ExecutionStore(path:)` takes either).
    static func location(_ root: String) throws -> String {
        try TestStore.location(forWorkspace: root)
    }

    /// Opens the workspace's store (in this process); nil while its SQLite file does not exist yet.
    static func open(_ root: String) -> ExecutionStore? {
        guard let location = try? location(root) else { return nil }
        if onSQLite, !FileManager.default.fileExists(atPath: location) { return nil }
        return try? ExecutionStore(path: location)
    }

    /// Runs SQL on the store with `sqlite3` (foreign keys on) or `psql` (`-At`: rows as `a|b` lines,
    /// as `sqlite3` prints them), outside the binary, as someone tampering with the store would.
    @discardableResult
    static func sql(_ root: String, _ statement: String) throws -> Harness.Output {
        let location = try location(root)
        if onPostgres {
            return try Harness.run(TestPostgres.psqlPath, ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                                                           "--dbname=\(location)", "-c", statement])
        }
        return try Harness.run("/usr/bin/sqlite3", ["-cmd", ".timeout 5000", location, "PRAGMA foreign_keys = ON; " + statement])
    }

    /// Whether the tool `sql(_:_:)` runs is installed.
    static var sqlToolExists: Bool {
        FileManager.default.isExecutableFile(atPath: onPostgres ? TestPostgres.psqlPath : "/usr/bin/sqlite3")
    }

    /// Everything the store holds, as text: the SQLite file's bytes (Latin-1), or `pg_dump`'s dump.
    static func contents(_ root: String) throws -> String {
        let location = try location(root)
        guard onPostgres else {
            return try String(contentsOfFile: location, encoding: .isoLatin1)
        }
        let dumpTool = (TestPostgres.psqlPath as NSString).deletingLastPathComponent + "/pg_dump"
        let dump = try Harness.run(dumpTool, ["--no-owner", "--dbname=\(location)"])
        guard dump.status == 0 else { throw ServeHost.ServeError(message: "pg_dump failed: \(dump.stderr)") }
        return dump.stdout
    }

    /// Rows done in the store's write checkpoint, -1 when there is none (or the store cannot be read yet).
    static func checkpointRows(_ root: String) -> Int {
        if onPostgres {
            guard let output = try? sql(root, "SELECT rows_done FROM write_checkpoints"), output.status == 0 else {
                return -1
            }
            return Int(output.stdout.split(separator: "\n").first ?? "") ?? -1
        }
        guard let store = try? location(root), FileManager.default.fileExists(atPath: store),
              let output = try? Harness.run(Harness.python, ["-c", """
                import sqlite3, sys
                try:
                    c = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True, timeout=1)
                    r = c.execute("SELECT rows_done FROM write_checkpoints").fetchone()
                    print(r[0] if r else -1)
                except Exception:
                    print(-1)
                """, store]) else { return -1 }
        return Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
