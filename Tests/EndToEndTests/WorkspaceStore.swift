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

    /// Whether a command or host holds the lock of a process that does not allow simultaneous
    /// executions: its lock file exists (SQLite), or its advisory lock is granted (PostgreSQL).
    static func processLockHeld(_ root: String, processID: String) -> Bool {
        guard onPostgres else { return FileManager.default.fileExists(atPath: lockFile(root, processID: processID)) }
        let key = "hashtextextended('conveyor.process:' || '\(processID)', 0)"
        // In this workspace's database only: advisory locks are per database, and other tests'
        // databases on the server may hold the same process's lock at the same time.
        let held = try? sql(root, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                            + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                            + "AND classid::bigint = ((\(key) >> 32) & 4294967295) AND objid::bigint = (\(key) & 4294967295)")
        return held?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// A process's lock file (SQLite stores; with PostgreSQL the lock is the cluster's).
    static func lockFile(_ root: String, processID: String) -> String {
        root + "/.conveyor/locks/" + processID + ".lock"
    }

    /// What a refusal says of the lock: its file (SQLite) or the cluster's (PostgreSQL).
    static func lockHolderText(_ root: String, processID: String) -> String {
        onPostgres ? "another command or host of the cluster holds its lock" : lockFile(root, processID: processID)
    }

    /// Everything a workspace keeps of its runs, each with a name for messages: every file under
    /// `.conveyor` (the SQLite store, lease files, logs), and on PostgreSQL the database's dump.
    static func persisted(_ root: String) throws -> [(name: String, data: Data)] {
        var found: [(name: String, data: Data)] = []
        let folder = root + "/.conveyor"
        if FileManager.default.fileExists(atPath: folder) {
            for file in try FileManager.default.subpathsOfDirectory(atPath: folder) {
                guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
                found.append((file, data))
            }
        }
        if onPostgres { found.append(("the PostgreSQL store", Data(try contents(root).utf8))) }
        return found
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
