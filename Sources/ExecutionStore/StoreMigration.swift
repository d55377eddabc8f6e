import Foundation

/// Copies a workspace's SQLite execution store into an empty PostgreSQL store, every row with its
/// id, so the audit chain (which hashes ids and content) verifies on the PostgreSQL side as it did
/// on the SQLite side.
///
/// The copy runs in one PostgreSQL write transaction: it commits whole or not at all (a failure
/// half-way leaves the target as empty as it was). The source is read in one read transaction, so
/// the copy is a consistent snapshot. Rows go in multi-row `INSERT`s of up to ``defaultBatchRows``
/// rows. Identity columns get the source's ids (`OVERRIDING SYSTEM VALUE`), and their sequences are
/// moved past the largest id afterwards, so rows written after the migration get new ids.
public enum StoreMigration {
    /// What the migration reports while it copies (the CLI prints it).
    public enum Progress: Sendable, Equatable {
        /// A table is about to be copied; `rows` is how many it holds.
        case started(table: String, rows: Int)
        /// `copied` of `rows` rows of `table` are in the target (after each batch).
        case copied(table: String, copied: Int, rows: Int)
        /// Every row of `table` is in the target (not committed yet).
        case finished(table: String, rows: Int, seconds: Double)
    }

    /// The rows copied from one table.
    public struct TableCount: Sendable, Hashable {
        public var table: String
        public var rows: Int
    }

    /// What a finished migration did, and how the target's audit chain verified.
    public struct Report: Sendable {
        /// Every table copied, in the order copied, with its row count.
        public var tables: [TableCount]
        /// The time from opening the target to the commit.
        public var seconds: Double
        /// `conveyor audit verify` on the target, after the commit.
        public var verification: ChainVerification
        /// The source's own verification, read only when the target's chain does not verify (to
        /// tell a break copied from the source from one the copy made).
        public var sourceVerification: ChainVerification?

        /// Rows copied, all tables together.
        public var totalRows: Int { tables.reduce(0) { $0 + $1.rows } }
        /// Rows copied per second.
        public var rowsPerSecond: Double { seconds > 0 ? Double(totalRows) / seconds : Double(totalRows) }
    }

    /// Rows per `INSERT` statement (fewer for wide tables: a statement takes at most 65,535 parameters).
    public static let defaultBatchRows = 1000

    /// Copies the SQLite store `source` into the PostgreSQL store at `target`, which must hold no
    /// executions or other rows, then verifies the target's audit chain with the source's audit key.
    ///
    /// Refused (nothing is written) when `source` is not an SQLite store, when it holds executions
    /// still `INPROCESS`, when it has a table or column the migration does not know, and when the
    /// target already holds rows. Errors name the target (without its password) or the source file.
    public static func run(from source: ExecutionStore, to target: PostgresLocation,
                           batchRows: Int = defaultBatchRows,
                           progress: (Progress) -> Void = { _ in }) throws -> Report {
        let context = "migrate the store into \(target)"
        guard source.postgres == nil else {
            throw StoreError(operation: context, message: "the source is a PostgreSQL store; only an SQLite store "
                             + "(.conveyor/executions.sqlite) is migrated", path: source.path)
        }
        let clock = ContinuousClock()
        let (tables, elapsed) = try source.withScanConnection { sqlite in
            try sqlite.transaction(.read, operation: context) {
                let present = try checkSource(sqlite, context: context)
                try refuseInProcess(sqlite, context: context)
                let started = clock.now
                let postgres = try PostgresStoreConnection(location: target, purpose: "migrate")
                try PostgresSchema.migrate(postgres)
                let counts = try postgres.transaction(.write, operation: context) {
                    try refuseNonEmpty(postgres, context: "migrate \(source.path) into this database")
                    var counts: [TableCount] = []
                    for table in MigratedTable.all where present.contains(table.name) {
                        let rows = try copy(table, from: sqlite, to: postgres, batchRows: batchRows, progress: progress)
                        counts.append(TableCount(table: table.name, rows: rows))
                    }
                    for table in MigratedTable.all {
                        guard let identity = table.identity else { continue }
                        try postgres.execute(
                            "SELECT setval(pg_get_serial_sequence('\(table.name)', '\(identity)'), "
                                + "COALESCE((SELECT MAX(\(identity)) FROM \(table.name)), 0) + 1, false)",
                            operation: "move the id sequence of \(table.name) past its largest id")
                    }
                    return counts
                }
                return (counts, seconds(clock.now - started))
            }
        }
        let verification = try ExecutionStore(postgres: target, auditKey: source.auditKey).verifyChain()
        return Report(tables: tables, seconds: elapsed, verification: verification,
                      sourceVerification: verification.isIntact ? nil : try source.verifyChain())
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The tables of the source; refuses a table or column the migration would not copy.
    private static func checkSource(_ sqlite: any StoreConnection, context: String) throws -> Set<String> {
        var present: [String] = []
        try sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                         operation: context) { row in present.append(row.text(0) ?? "") }
        let known = Dictionary(uniqueKeysWithValues: MigratedTable.all.map { ($0.name, $0) })
        for name in present {
            guard let table = known[name] else {
                throw StoreError(operation: context, message: "the source has a table '\(name)' this build cannot "
                                 + "copy (a newer build made it?); nothing was copied", path: sqlite.path)
            }
            var columns: [String] = []
            try sqlite.query("PRAGMA table_info(\(name))", operation: context) { columns.append($0.text(1) ?? "") }
            let copied = Set(table.columns.map(\.name))
            if let unknown = columns.first(where: { !copied.contains($0) }) {
                throw StoreError(operation: context, message: "column '\(unknown)' of table '\(name)' in the source "
                                 + "is not one this build copies (a newer build made it?); nothing was copied",
                                 path: sqlite.path)
            }
        }
        return Set(present)
    }

    /// Refuses a source whose executions still run: their rows would change after the copy.
    private static func refuseInProcess(_ sqlite: any StoreConnection, context: String) throws {
        var running: [String] = []
        try sqlite.query(
            "SELECT id, process_id, start_time FROM executions WHERE status = 'INPROCESS' ORDER BY start_time, rowid",
            operation: context) { row in
            running.append("\(row.text(0) ?? "") (process \(row.text(1) ?? ""), started \(row.text(2) ?? ""))")
        }
        guard !running.isEmpty else { return }
        let shown = running.prefix(5).joined(separator: ", ") + (running.count > 5 ? " and \(running.count - 5) more" : "")
        throw StoreError(
            operation: context,
            message: "\(running.count == 1 ? "execution" : "\(running.count) executions") still INPROCESS: \(shown); "
                + "let \(running.count == 1 ? "it" : "them") finish (stop `conveyor serve` and every other command "
                + "using this workspace) or stop the command running \(running.count == 1 ? "it" : "them") — the next "
                + "command then marks \(running.count == 1 ? "it" : "them") ABORTED — and migrate again; nothing was copied",
            path: sqlite.path)
    }

    /// Refuses a target holding rows: the copy keeps ids, which would collide or mix two stores' chains.
    private static func refuseNonEmpty(_ postgres: any StoreConnection, context: String) throws {
        var holding: [String] = []
        for table in MigratedTable.all.map(\.name) + ["work_queue"] {
            var count: Int64 = 0
            try postgres.query("SELECT COUNT(*) FROM \(table)", operation: context) { count = $0.int64(0) }
            if count > 0 { holding.append("\(count) row\(count == 1 ? "" : "s") in \(table)") }
        }
        guard !holding.isEmpty else { return }
        throw StoreError(
            operation: context,
            message: "the target is not empty (\(holding.joined(separator: ", "))); a store is migrated into an "
                + "empty database only. To start over, drop and create the database (DROP DATABASE …; CREATE DATABASE …) "
                + "or name a new one; nothing was copied",
            path: postgres.path)
    }

    /// Copies every row of `table` in batches; returns the number of rows.
    private static func copy(_ table: MigratedTable, from sqlite: any StoreConnection, to postgres: any StoreConnection,
                             batchRows: Int, progress: (Progress) -> Void) throws -> Int {
        let clock = ContinuousClock()
        let started = clock.now
        var total = 0
        try sqlite.query("SELECT COUNT(*) FROM \(table.name)", operation: "count the rows of \(table.name)") {
            total = $0.int(0)
        }
        progress(.started(table: table.name, rows: total))
        let width = table.columns.count
        let perStatement = max(1, min(batchRows, 65_000 / width))
        let fullBatch = table.insert(rows: perStatement)
        var values: [StoreValue] = []
        values.reserveCapacity(perStatement * width)
        var pending = 0
        var copied = 0
        func flush() throws {
            guard pending > 0 else { return }
            try postgres.execute(pending == perStatement ? fullBatch : table.insert(rows: pending), values,
                                 operation: "copy rows \(copied + 1) to \(copied + pending) of \(table.name)")
            copied += pending
            pending = 0
            values.removeAll(keepingCapacity: true)
            progress(.copied(table: table.name, copied: copied, rows: total))
        }
        try sqlite.query(table.select, operation: "read the rows of \(table.name)") { row in
            for (offset, column) in table.columns.enumerated() {
                let index = Int32(offset)
                guard !row.isNull(index) else {
                    values.append(.null)
                    continue
                }
                switch column.kind {
                case .integer: values.append(.integer(row.int64(index)))
                case .text: values.append(.text(row.text(index) ?? ""))
                case .blob: values.append(.blob(row.blob(index)))
                }
            }
            pending += 1
            if pending == perStatement { try flush() }
        }
        try flush()
        progress(.finished(table: table.name, rows: copied, seconds: seconds(clock.now - started)))
        return copied
    }
}

/// A table the migration copies, with its columns (the SQLite and PostgreSQL names are the same).
struct MigratedTable {
    enum Kind { case integer, text, blob }

    struct Column {
        var name: String
        var kind: Kind
    }

    var name: String
    var columns: [Column]
    /// The order rows are read and inserted in (the source's ids, so identities keep their order).
    var order: String
    /// The identity column, whose sequence is moved past the largest id copied.
    var identity: String?

    /// `spec` lists the columns separated by spaces; `:i` marks an integer, `:b` a blob, others are text.
    init(_ name: String, _ spec: String, order: String, identity: String? = nil) {
        self.name = name
        columns = spec.split(separator: " ").map { word in
            if word.hasSuffix(":i") { return Column(name: String(word.dropLast(2)), kind: .integer) }
            if word.hasSuffix(":b") { return Column(name: String(word.dropLast(2)), kind: .blob) }
            return Column(name: String(word), kind: .text)
        }
        self.order = order
        self.identity = identity
    }

    var columnList: String { columns.map(\.name).joined(separator: ", ") }

    var select: String { "SELECT \(columnList) FROM \(name) ORDER BY \(order)" }

    /// A multi-row `INSERT` of `rows` rows.
    func insert(rows: Int) -> String {
        var sql = "INSERT INTO \(name) (\(columnList))"
        if identity != nil { sql += " OVERRIDING SYSTEM VALUE" }
        sql += " VALUES "
        var parameter = 0
        for row in 0..<rows {
            sql += row == 0 ? "(" : ", ("
            for column in 0..<columns.count {
                parameter += 1
                sql += column == 0 ? "?\(parameter)" : ", ?\(parameter)"
            }
            sql += ")"
        }
        return sql
    }

    /// Every table of the SQLite store, parents before the rows that reference them.
    static let all: [MigratedTable] = [
        MigratedTable("executions", "rowid:i id process_id process_name trigger status start_time end_time "
                      + "documents_in:i documents_out:i documents_error:i error shape_counts user_log parent_execution_id "
                      + "chain_first:i chain_last:i retries:i documents_dead_lettered:i owner host",
                      order: "rowid", identity: "rowid"),
        MigratedTable("documents", "id:i execution_id shape_id connection_id operation_id direction doc_index:i status "
                      + "error recorded_at doc_count:i error_code", order: "id", identity: "id"),
        MigratedTable("tracked_values", "document_id:i position:i name value truncated:i seq:i content_hash:b chain_hash:b",
                      order: "document_id, position"),
        MigratedTable("audit_checkpoints", "id:i created_at cutoff last_seq:i last_chain_hash:b records_purged:i "
                      + "documents_purged:i executions_purged:i signature:b", order: "id", identity: "id"),
        MigratedTable("audit_entries", "seq:i kind format:i execution_id document_id:i checkpoint_id:i content_hash:b "
                      + "chain_hash:b", order: "seq"),
        MigratedTable("audit_head", "id:i seq:i chain_hash:b start_seq:i start_hash:b checkpoints:i signature:b",
                      order: "id"),
        MigratedTable("process_properties", "process_id name value execution_id updated_at", order: "process_id, name"),
        MigratedTable("write_checkpoints", "process_id destination stream next_offset:i rows_done:i execution_id updated_at",
                      order: "process_id, destination"),
        MigratedTable("schedule_fires", "schedule_key process_id last_fire", order: "schedule_key"),
        MigratedTable("document_contents", "id:i execution_id shape_id connection_id operation_id direction doc_index:i "
                      + "status content:b size:i cut:i redacted:i properties error error_code recorded_at", order: "id",
                      identity: "id"),
    ]
}
