internal import CSQLite

/// One SQLite database handle with its cache of prepared statements.
///
/// Not thread-safe by itself: ``ExecutionStore`` keeps it inside a `Mutex`, and
/// every use happens while that lock is held. The handle is opened without
/// SQLite's own mutex for that reason.
final class SQLiteConnection: StoreConnection {
    /// The database file, used in error messages.
    let path: String
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (creating if needed) the database at `path`.
    ///
    /// Extended result codes are switched on, and a writer waits up to
    /// `busyTimeoutMilliseconds` for another connection's lock before failing.
    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        self.path = path
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &opened, flags, nil)
        guard let opened else {
            throw StoreError(operation: "open database", code: Int(result),
                             message: String(cString: sqlite3_errstr(result)), path: path)
        }
        guard result == SQLITE_OK else {
            let error = StoreError(operation: "open database", code: Int(sqlite3_extended_errcode(opened)),
                                   message: String(cString: sqlite3_errmsg(opened)), path: path)
            sqlite3_close_v2(opened)
            throw error
        }
        sqlite3_extended_result_codes(opened, 1)
        sqlite3_busy_timeout(opened, busyTimeoutMilliseconds)
        self.handle = opened
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes64(handle)) }

    /// SQLite's SQL.
    var dialect: SQLDialect { .sqlite }

    /// Runs one statement, calling `row` for each result row.
    ///
    /// The statement is prepared once per connection and reused; `row` must not
    /// run the same SQL again while it is called.
    func query(_ sql: String, _ bindings: [StoreValue], operation: String,
               row: (StoreRow) throws -> Void) throws {
        let statement = try prepared(sql, operation: operation)
        defer { statement.reset() }
        for (offset, value) in bindings.enumerated() {
            let result = statement.bind(value, at: Int32(offset + 1))
            guard result == SQLITE_OK else { throw error(result, operation) }
        }
        while true {
            let result = sqlite3_step(statement.handle)
            if result == SQLITE_DONE { return }
            guard result == SQLITE_ROW else { throw error(result, operation) }
            try row(StoreRow(sqlite: statement.handle))
        }
    }

    /// Runs several `;`-separated statements without caching them (schema scripts, pragmas).
    func executeScript(_ sql: String, operation: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard result == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            throw StoreError(operation: operation, code: Int(sqlite3_extended_errcode(handle)),
                             message: text, path: path)
        }
    }

    /// Runs `body` inside a transaction, committing on success and rolling back on error.
    ///
    /// Write transactions use `BEGIN IMMEDIATE`, so the write lock is taken (waiting
    /// up to the busy timeout) before anything is read, and never upgraded later.
    func transaction<T>(_ kind: TransactionKind, operation: String, _ body: () throws -> T) throws -> T {
        try executeScript(kind == .write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", operation: operation)
        do {
            let result = try body()
            try executeScript("COMMIT", operation: operation)
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 {
                sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            }
            throw error
        }
    }

    private func prepared(_ sql: String, operation: String) throws -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        var raw: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard result == SQLITE_OK, let raw else { throw error(result, operation) }
        let statement = SQLiteStatement(handle: raw)
        statements[sql] = statement
        return statement
    }

    private func error(_ result: Int32, _ operation: String) -> StoreError {
        StoreError(operation: operation, code: Int(result),
                   message: String(cString: sqlite3_errmsg(handle)), path: path)
    }
}
