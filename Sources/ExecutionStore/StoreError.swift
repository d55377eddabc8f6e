/// An error from the execution store: what it was doing, on which database file, and why.
///
/// `code` is the SQLite extended result code when SQLite reported the failure, `sqlState` the
/// SQLSTATE when PostgreSQL did, and both are `nil` when the store itself refused (for example an
/// ambiguous id prefix).
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the store was doing, e.g. `open database` or `insert execution 1f3a…`.
    public var operation: String
    /// The SQLite extended result code, when SQLite reported the failure.
    public var code: Int?
    /// The PostgreSQL SQLSTATE (such as `23505`), when PostgreSQL reported the failure.
    public var sqlState: String?
    /// The database's error message or the store's own explanation.
    public var message: String
    /// The database file the store was using, or its PostgreSQL URL (never with a password).
    public var path: String

    /// Creates a store error.
    public init(operation: String, code: Int? = nil, sqlState: String? = nil, message: String, path: String) {
        self.operation = operation
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.path = path
    }

    /// Whether the database reported the failure (rather than the store refusing something).
    public var isDatabaseFailure: Bool { code != nil || sqlState != nil }

    /// The symbolic name of the primary result code, such as `SQLITE_BUSY`, when known.
    public var codeName: String? {
        guard let code else { return nil }
        return Self.primaryNames[code & 0xFF]
    }

    /// A stable one-line description: path, operation, message and SQLite code.
    public var description: String {
        var text = "execution store \(path): \(operation) failed: \(message)"
        if let code {
            text += " (SQLite code \(code)"
            if let codeName { text += " \(codeName)" }
            text += ")"
        }
        if let sqlState { text += " (PostgreSQL SQLSTATE \(sqlState))" }
        return text
    }

    private static let primaryNames: [Int: String] = [
        1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
        5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY",
        9: "SQLITE_INTERRUPT", 10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND",
        13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN", 15: "SQLITE_PROTOCOL", 17: "SQLITE_SCHEMA",
        18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT", 20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE",
        22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 25: "SQLITE_RANGE", 26: "SQLITE_NOTADB",
    ]
}
