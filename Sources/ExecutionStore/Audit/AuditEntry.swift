/// The records chained besides tracked values: finished executions, documents with an error and
/// purge checkpoints. Each is one row of `audit_entries` naming its subject row; its content is
/// read from that row, so an edit of the row no longer matches the stored content hash.
///
/// The content is the tag `conveyor-<kind>-v<format>`, then for each column of the format its
/// name and its value as text (see ``Canonical``). A new column is covered by adding a format
/// with it appended: entries keep the format they were written with and verify with it.
enum AuditEntryKind: String, Sendable {
    /// A finished execution: written when it ends (or is marked `ABORTED`), again if it changes later.
    case execution
    /// A document recorded with status `error` or `application-error`, or with an error message.
    case document
    /// A purge checkpoint, written when the purge ends.
    case checkpoint

    /// The table of the subject row.
    var table: String {
        switch self {
        case .execution: "executions"
        case .document: "documents"
        case .checkpoint: "audit_checkpoints"
        }
    }

    /// The format new entries are written with.
    var currentFormat: Int { 1 }

    /// The columns of each format (name, SQL expression), in canonical order.
    func columns(format: Int, dialect: SQLDialect) -> [(name: String, expression: String)]? {
        guard format == 1 else { return nil }
        let names: [String]
        switch self {
        case .execution:
            names = ["id", "process_id", "process_name", "trigger", "status", "start_time", "end_time",
                     "documents_in", "documents_out", "documents_error", "error", "shape_counts", "user_log",
                     "parent_execution_id", "retries", "documents_dead_lettered"]
        case .document:
            names = ["id", "execution_id", "shape_id", "connection_id", "operation_id", "direction", "doc_index",
                     "doc_count", "status", "error", "recorded_at"]
        case .checkpoint:
            return [("id", "id"), ("created_at", "created_at"), ("cutoff", "cutoff"), ("last_seq", "last_seq"),
                    ("last_chain_hash", dialect.hex("last_chain_hash")), ("records_purged", "records_purged"),
                    ("documents_purged", "documents_purged"), ("executions_purged", "executions_purged")]
        }
        return names.map { ($0, $0) }
    }

    /// The canonical content of the subject row `key` in `format`, or `nil` when the row does not
    /// exist (or the format is unknown).
    func content(of key: StoreValue, format: Int, _ connection: any StoreConnection, context: String) throws -> [UInt8]? {
        guard let columns = columns(format: format, dialect: connection.dialect) else { return nil }
        let select = "SELECT \(columns.map(\.expression).joined(separator: ", ")) FROM \(table) WHERE id = ?1"
        var found: [UInt8]?
        try connection.query(select, [key], operation: context) { row in
            found = canonical(format: format, names: columns.map(\.name), row: row, from: 0)
        }
        return found
    }

    /// The canonical content in `format` of a row whose columns `names` (in canonical order) were
    /// read as the result columns starting at `first` (a SELECT of ``columns(format:dialect:)``, or
    /// the same expressions returned by the row's INSERT).
    func canonical(format: Int, names: [String], row: StoreRow, from first: Int32) -> [UInt8] {
        var canonical = Canonical(tag: "conveyor-\(rawValue)-v\(format)", capacity: 256)
        for (index, name) in names.enumerated() {
            canonical.add(name)
            canonical.add(row.text(first + Int32(index)))
        }
        return canonical.bytes
    }
}
