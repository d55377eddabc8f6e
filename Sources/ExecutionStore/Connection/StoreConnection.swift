/// The SQL the store speaks to its database: SQLite's (the embedded default) or PostgreSQL's.
///
/// The store's statements are written once, in the SQL both accept (`?N` parameters,
/// `ON CONFLICT … DO UPDATE`, `RETURNING`); the few places where the two differ ask the dialect.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// `column` (a blob) as lowercase hexadecimal text.
    func hex(_ column: String) -> String {
        switch self {
        case .sqlite: "lower(hex(\(column)))"
        case .postgres: "encode(\(column), 'hex')"
        }
    }
}

/// One connection to the store's database. ``ExecutionStore`` keeps it under a lock: a connection
/// is never used by two threads at once.
///
/// Two implementations: ``SQLiteConnection`` (a database file) and ``PostgresStoreConnection``
/// (a PostgreSQL server, shared by the hosts of a cluster).
protocol StoreConnection: AnyObject {
    /// What the connection reaches, for error messages: the database file, or the server URL
    /// without its password.
    var path: String { get }
    /// The SQL the database speaks.
    var dialect: SQLDialect { get }
    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { get }
    /// Runs one statement, calling `row` for each result row. Parameters are `?1`, `?2`, …
    func query(_ sql: String, _ bindings: [StoreValue], operation: String, row: (StoreRow) throws -> Void) throws
    /// Runs several `;`-separated statements without parameters (schema scripts).
    func executeScript(_ sql: String, operation: String) throws
    /// Runs `body` inside a transaction, committing on success and rolling back on error.
    ///
    /// Write transactions are serialised across every connection to the database (SQLite's
    /// write lock; a transaction-level advisory lock on PostgreSQL), so what a write transaction
    /// reads stays true until it commits.
    func transaction<T>(_ kind: TransactionKind, operation: String, _ body: () throws -> T) throws -> T
}

extension StoreConnection {
    /// Runs one statement to completion, ignoring any rows it returns.
    func execute(_ sql: String, _ bindings: [StoreValue] = [], operation: String) throws {
        try query(sql, bindings, operation: operation) { _ in }
    }

    /// Runs one statement without parameters, calling `row` for each result row.
    func query(_ sql: String, operation: String, row: (StoreRow) throws -> Void) throws {
        try query(sql, [], operation: operation, row: row)
    }

    /// Inserts `rows` (values in the order of `columns`) with as few multi-row INSERT statements as
    /// the databases' parameter limits allow: one round trip for many rows on PostgreSQL.
    func insertRows(into table: String, columns: [String], _ rows: [[StoreValue]], rowsPerStatement limit: Int? = nil,
                    operation: String) throws {
        guard !columns.isEmpty else { return }
        let rowsPerStatement = max(1, min(limit ?? .max, StoreConnectionValues.parametersPerStatement / columns.count))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + rowsPerStatement)]
            var bindings: [StoreValue] = []
            bindings.reserveCapacity(chunk.count * columns.count)
            for row in chunk { bindings.append(contentsOf: row) }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + StoreConnectionValues.list(rows: chunk.count, columns: columns.count)
            try execute(sql, bindings, operation: operation)
            start += chunk.count
        }
    }

    /// Runs an `INSERT … RETURNING id` and returns the id.
    func insertReturningID(_ sql: String, _ bindings: [StoreValue], operation: String) throws -> Int64 {
        var id: Int64?
        try query(sql, bindings, operation: operation) { id = $0.int64(0) }
        guard let id else {
            throw StoreError(operation: operation, message: "the insert returned no id", path: path)
        }
        return id
    }
}

/// The VALUES lists of multi-row INSERT statements.
enum StoreConnectionValues {
    /// At most this many parameters in one statement (SQLite allows 32,766, PostgreSQL 65,535).
    static let parametersPerStatement = 30_000

    /// `(?1, ?2), (?3, ?4)`: the VALUES list of `rows` rows of `columns` parameters each.
    /// Written as bytes: string interpolation cost about 2,500 instructions a parameter.
    static func list(rows: Int, columns: Int) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(rows * (columns * 8 + 4))
        var digits: [UInt8] = [UInt8(ascii: "1")]
        for row in 0..<rows {
            if row > 0 { appendSeparator(to: &text) }
            text.append(UInt8(ascii: "("))
            for column in 0..<columns {
                if column > 0 { appendSeparator(to: &text) }
                text.append(UInt8(ascii: "?"))
                text += digits
                increment(&digits)
            }
            text.append(UInt8(ascii: ")"))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `, ` between two parameters or two rows.
    @inline(__always)
    private static func appendSeparator(to text: inout [UInt8]) {
        text.append(UInt8(ascii: ","))
        text.append(UInt8(ascii: " "))
    }

    /// Adds one to a decimal number written in ASCII digits.
    private static func increment(_ digits: inout [UInt8]) {
        var position = digits.count - 1
        while position >= 0 {
            if digits[position] < UInt8(ascii: "9") {
                digits[position] += 1
                return
            }
            digits[position] = UInt8(ascii: "0")
            position -= 1
        }
        digits.insert(UInt8(ascii: "1"), at: 0)
    }
}

/// Whether a transaction only reads or also writes.
enum TransactionKind {
    /// A consistent snapshot for several reads.
    case read
    /// Takes the database's write lock up front (see ``StoreConnection/transaction(_:operation:_:)``).
    case write
}

/// A value bound to a statement parameter, or read from a PostgreSQL result cell.
enum StoreValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    /// Text, or NULL when `value` is `nil`.
    static func optional(_ value: String?) -> StoreValue {
        value.map { .text($0) } ?? .null
    }

    /// An integer from a Swift `Int`.
    static func int(_ value: Int) -> StoreValue { .integer(Int64(value)) }
}

/// The current result row of a statement; valid only inside the row callback.
///
/// Reads columns the way SQLite converts them: an integer read as text is its decimal digits,
/// NULL reads as nil text, 0 and no bytes.
struct StoreRow {
    private enum Source {
        case sqlite(OpaquePointer)
        case values([StoreValue])
    }
    private let source: Source

    /// A row of a prepared SQLite statement.
    init(sqlite handle: OpaquePointer) { source = .sqlite(handle) }

    /// A row already read into values (PostgreSQL).
    init(values: [StoreValue]) { source = .values(values) }

    private func value(_ column: Int32) -> StoreValue {
        guard case .values(let values) = source, column >= 0, Int(column) < values.count else { return .null }
        return values[Int(column)]
    }

    /// The column as text, or `nil` when it is NULL.
    func text(_ column: Int32) -> String? {
        if case .sqlite(let handle) = source { return SQLiteColumns.text(handle, column) }
        switch value(column) {
        case .null: return nil
        case .integer(let number): return String(number)
        case .text(let text): return text
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The column as bytes (empty when NULL).
    func blob(_ column: Int32) -> [UInt8] {
        if case .sqlite(let handle) = source { return SQLiteColumns.blob(handle, column) }
        switch value(column) {
        case .null: return []
        case .integer(let number): return Array(String(number).utf8)
        case .text(let text): return Array(text.utf8)
        case .blob(let bytes): return bytes
        }
    }

    /// Whether the column is NULL.
    func isNull(_ column: Int32) -> Bool {
        if case .sqlite(let handle) = source { return SQLiteColumns.isNull(handle, column) }
        return value(column) == .null
    }

    /// The column as an integer (0 when NULL).
    func int64(_ column: Int32) -> Int64 {
        if case .sqlite(let handle) = source { return SQLiteColumns.int64(handle, column) }
        switch value(column) {
        case .integer(let number): return number
        case .text(let text): return Int64(text) ?? 0
        case .null, .blob: return 0
        }
    }

    /// The column as a Swift `Int` (0 when NULL).
    func int(_ column: Int32) -> Int { Int(int64(column)) }
}
