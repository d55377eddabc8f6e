import Foundation
import Synchronization

/// Records executions, the documents that passed connector shapes, and their
/// tracked field values in an SQLite database file (the embedded default) or a PostgreSQL
/// database (shared by the hosts of a cluster).
///
/// The store's logic (records, audit chain, retention, checkpoints) is written once against
/// ``StoreConnection``; SQLite and PostgreSQL are its two implementations.
///
/// Safe to share between tasks: one connection per store, used under a lock.
/// Several stores (in one or several processes) may open the same database; SQLite
/// runs in WAL mode and writers wait up to 10 seconds for each other; on PostgreSQL
/// writers wait for the store's writer lock (see ``PostgresStoreConnection/writerLock``).
/// Calls are synchronous and short (one transaction each).
public final class ExecutionStore: Sendable {
    /// The database file, or the PostgreSQL URL (without a password).
    public let path: String
    /// Where the PostgreSQL store is; nil for an SQLite store.
    public let postgres: PostgresLocation?
    private let connection: Mutex<any StoreConnection>
    private let hostName = Mutex<String?>(nil)
    /// The host recorded with each execution this store inserts (a cluster host's id).
    public var host: String? {
        get { hostName.withLock { $0 } }
        set { hostName.withLock { $0 = newValue } }
    }
    /// The connection holding the advisory locks of a PostgreSQL store's leases (opened on first use).
    let lockSession: PostgresLockSession?
    /// The key that signs the head of the audit chain and the purge checkpoints, if any.
    let auditKey: AuditKey?

    /// How long a writer waits for another connection's write lock.
    static let busyTimeoutMilliseconds: Int32 = 10_000

    /// Opens the database at `path`, creating its parent directory, the file and the schema as needed.
    ///
    /// Existing databases are migrated to the current schema version; opening an
    /// up-to-date database changes nothing. With `auditKey`, every write signs the head of the
    /// audit chain and each purge checkpoint, and ``verifyChain()`` checks the signatures.
    ///
    /// A `postgres://` URL as `path` opens a PostgreSQL store (see ``init(postgres:auditKey:)``),
    /// with the password from `PGPASSWORD` when set.
    public convenience init(path: String, auditKey: AuditKey? = nil) throws {
        if PostgresLocation.isURL(path) {
            let location = try PostgresLocation(url: path, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
            try self.init(postgres: location, auditKey: auditKey)
        } else {
            try self.init(sqlite: path, auditKey: auditKey)
        }
    }

    /// Opens the PostgreSQL store at `location`, creating or migrating its schema as needed
    /// (once, when several hosts start together).
    public init(postgres location: PostgresLocation, auditKey: AuditKey? = nil) throws {
        let opened = try PostgresStoreConnection(location: location, purpose: "store")
        try PostgresSchema.migrate(opened)
        self.path = location.description
        self.postgres = location
        self.auditKey = auditKey
        self.connection = Mutex(opened)
        self.lockSession = PostgresLockSession(location: location)
    }

    private init(sqlite path: String, auditKey: AuditKey?) throws {
        try Self.createParentDirectory(of: path)
        let opened = try SQLiteConnection(path: path, busyTimeoutMilliseconds: Self.busyTimeoutMilliseconds)
        try Self.configure(opened)
        let chained = try Self.hasChainColumns(opened)
        let entries = try Self.hasAuditEntries(opened)
        try Schema.migrate(opened)
        if !chained { try Self.sealUnchained(opened, key: auditKey) }
        if !entries { try Self.sealRecords(opened, key: auditKey) }
        self.path = path
        self.postgres = nil
        self.auditKey = auditKey
        self.connection = Mutex(opened)
        self.lockSession = nil
    }

    /// Runs `body` with the connection while holding the lock.
    func withConnection<T: Sendable>(_ body: @Sendable (any StoreConnection) throws -> T) throws -> T {
        try connection.withLock { connection in try body(connection) }
    }

    /// Runs `body` with a connection of its own for a long read (verifying, exporting), so the
    /// store's shared connection stays free; an in-memory store uses its shared connection under the lock.
    func withScanConnection<T: Sendable>(_ body: (any StoreConnection) throws -> T) throws -> T {
        if let postgres {
            return try body(PostgresStoreConnection(location: postgres, purpose: "scan"))
        }
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            return try connection.withLock { connection in try body(connection) }
        }
        let scan = try SQLiteConnection(path: path, busyTimeoutMilliseconds: Self.busyTimeoutMilliseconds)
        return try body(scan)
    }

    private static func configure(_ connection: any StoreConnection) throws {
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
