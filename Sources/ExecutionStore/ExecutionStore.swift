import Foundation
import Synchronization

/// Records executions, the documents that passed connector shapes, and their
/// tracked field values in an SQLite database file.
///
/// Safe to share between tasks: one connection per store, used under a lock.
/// Several stores (in one or several processes) may open the same file; the
/// database runs in WAL mode and writers wait up to 10 seconds for each other.
/// Calls are synchronous and short (one transaction each); a call waiting for
/// another writer blocks its thread for at most that long.
public final class ExecutionStore: Sendable {
    /// The database file.
    public let path: String
    private let connection: Mutex<SQLiteConnection>
    /// The key that signs the head of the audit chain and the purge checkpoints, if any.
    let auditKey: AuditKey?

    /// How long a writer waits for another connection's write lock.
    static let busyTimeoutMilliseconds: Int32 = 10_000

    /// Opens the database at `path`, creating its parent directory, the file and the schema as needed.
    ///
    /// Existing databases are migrated to the current schema version; opening an
    /// up-to-date database changes nothing. With `auditKey`, every write signs the head of the
    /// audit chain and each purge checkpoint, and ``verifyChain()`` checks the signatures.
    public init(path: String, auditKey: AuditKey? = nil) throws {
        try Self.createParentDirectory(of: path)
        let opened = try SQLiteConnection(path: path, busyTimeoutMilliseconds: Self.busyTimeoutMilliseconds)
        try Self.configure(opened)
        let chained = try Self.hasChainColumns(opened)
        let entries = try Self.hasAuditEntries(opened)
        try Schema.migrate(opened)
        if !chained { try Self.sealUnchained(opened, key: auditKey) }
        if !entries { try Self.sealRecords(opened, key: auditKey) }
        self.path = path
        self.auditKey = auditKey
        self.connection = Mutex(opened)
    }

    /// Runs `body` with the connection while holding the lock.
    func withConnection<T: Sendable>(_ body: @Sendable (SQLiteConnection) throws -> T) throws -> T {
        try connection.withLock { connection in try body(connection) }
    }

    /// Runs `body` with a connection of its own for a long read (verifying, exporting), so the
    /// store's shared connection stays free; an in-memory store uses its shared connection under the lock.
    func withScanConnection<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            return try connection.withLock { connection in try body(connection) }
        }
        let scan = try SQLiteConnection(path: path, busyTimeoutMilliseconds: Self.busyTimeoutMilliseconds)
        return try body(scan)
    }

    private static func configure(_ connection: SQLiteConnection) throws {
        let operation = "open database"
        var mode = ""
        try connection.query("PRAGMA journal_mode = WAL", operation: operation) { mode = $0.text(0) ?? "" }
        guard mode == "wal" || mode == "memory" else {
            throw StoreError(operation: operation,
                             message: "the database cannot use write-ahead logging (journal mode is '\(mode)')",
                             path: connection.path)
        }
        try connection.executeScript("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
                                     operation: operation)
    }

    private static func createParentDirectory(of path: String) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw StoreError(operation: "create directory \(parent.path)",
                             message: String(describing: error), path: path)
        }
    }
}
