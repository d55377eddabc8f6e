internal import CSQLite

/// A prepared statement owned by one ``SQLiteConnection``; finalized when released.
final class SQLiteStatement {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `value` to the 1-based parameter `index`, returning the SQLite result code.
    func bind(_ value: StoreValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let number):
            return sqlite3_bind_int64(handle, index, number)
        case .text(let text):
            let length = Int32(clamping: text.utf8.count)
            return text.withCString { sqlite3_bind_text(handle, index, $0, length, conveyor_sqlite_transient()) }
        case .blob(let bytes):
            return bytes.withUnsafeBytes { buffer in
                sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(clamping: buffer.count),
                                  conveyor_sqlite_transient())
            }
        }
    }

    /// Makes the statement ready to run again with new bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}

/// Reading a column of the current row of a prepared statement.
enum SQLiteColumns {
    /// The column as text, or `nil` when it is NULL.
    static func text(_ handle: OpaquePointer, _ column: Int32) -> String? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL,
              let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column as bytes (empty when NULL).
    static func blob(_ handle: OpaquePointer, _ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Whether the column is NULL.
    static func isNull(_ handle: OpaquePointer, _ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    /// The column as an integer (0 when NULL).
    static func int64(_ handle: OpaquePointer, _ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }
}
