import Foundation

/// Writes the document rows of one batch inside a write transaction, keeping each run of
/// consecutive successful documents without tracked values as one row.
///
/// A run joins documents with the same execution, shape, connection, operation, direction
/// and recording time whose indexes follow each other. Errors, application errors and
/// documents with tracked values get one row each.
struct DocumentRowWriter {
    let connection: any StoreConnection
    let context: String
    /// The last recording time and its text (batches usually share one time: format it once).
    private var stamp: (date: Date, text: String)?
    /// The run being collected, written when a document does not continue it.
    private var run: DocumentRecord?
    /// Rows written so far.
    private(set) var rowsWritten = 0
    /// Chains the tracked values written.
    private var chain: ChainWriter

    init(connection: any StoreConnection, context: String, key: AuditKey?) {
        self.connection = connection
        self.context = context
        self.chain = ChainWriter(connection: connection, context: context, key: key)
    }

    /// Adds a document record (or a run of them, when its `count` is above 1).
    mutating func add(_ document: DocumentRecord) throws {
        let count = max(1, document.count)
        guard Self.joinable(document) else {
            try closeRun()
            for offset in 0..<count {
                try insert(document, index: document.index + offset, count: 1)
            }
            return
        }
        if let open = run, Self.continues(open, with: document) {
            run?.count += count
            return
        }
        try closeRun()
        var started = document
        started.count = count
        run = started
    }

    /// Writes the run still open, if any.
    mutating func finish() throws {
        try closeRun()
        try flush()
        try chain.finish()
    }

    /// Whether a document may be kept inside a run row.
    static func joinable(_ document: DocumentRecord) -> Bool {
        document.status == .success && document.error == nil && document.trackedValues.isEmpty
    }

    /// Whether `document` is the next one of the run `open`.
    private static func continues(_ open: DocumentRecord, with document: DocumentRecord) -> Bool {
        open.index + open.count == document.index && open.shapeID == document.shapeID
            && open.direction == document.direction && open.status == document.status
            && open.operationID == document.operationID && open.connectionID == document.connectionID
            && open.executionID == document.executionID && open.recordedAt == document.recordedAt
    }

    private mutating func closeRun() throws {
        guard let open = run else { return }
        run = nil
        try insert(open, index: open.index, count: open.count)
    }

    /// A row waiting for the next multi-row INSERT.
    private struct Pending {
        var document: DocumentRecord
        var index: Int
        var count: Int
        var recordedAt: String
    }

    /// Rows queued for the next INSERT (see ``flush()``).
    private var pending: [Pending] = []

    /// Document rows inserted by one statement: each costs one round trip on PostgreSQL, so a batch
    /// of failed documents no longer takes three per document (insert, read back, chain entry)
    /// while it holds the store's write lock.
    static let rowsPerStatement = 250

    /// The columns of a `documents` row, in the order ``flush()`` binds them.
    private static let insertColumns = ["execution_id", "shape_id", "connection_id", "operation_id", "direction",
                                        "doc_index", "status", "error", "recorded_at", "doc_count", "error_code"]

    private mutating func insert(_ document: DocumentRecord, index: Int, count: Int) throws {
        let text: String
        if let stamp, stamp.date == document.recordedAt {
            text = stamp.text
        } else {
            text = StoreTimestamp.text(from: document.recordedAt)
            stamp = (document.recordedAt, text)
        }
        pending.append(Pending(document: document, index: index, count: count, recordedAt: text))
        if pending.count >= Self.rowsPerStatement { try flush() }
    }

    /// Inserts the queued rows with one statement that returns each row's id and the columns its
    /// chain entry covers, then chains the documents with an error and the tracked values in the
    /// order the rows were queued, and inserts those entries with one statement per table.
    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        let rows = pending
        pending.removeAll(keepingCapacity: true)
        let kind = AuditEntryKind.document
        guard let chained = kind.columns(format: kind.currentFormat, dialect: connection.dialect),
              let indexColumn = chained.firstIndex(where: { $0.name == "doc_index" }),
              let shapeColumn = chained.firstIndex(where: { $0.name == "shape_id" }) else {
            throw StoreError(operation: context, message: "the document format has no doc_index or shape_id", path: connection.path)
        }
        var bindings: [StoreValue] = []
        bindings.reserveCapacity(rows.count * Self.insertColumns.count)
        for row in rows {
            let document = row.document
            bindings += [.text(document.executionID), .text(document.shapeID), .optional(document.connectionID),
                         .optional(document.operationID), .text(document.direction), .int(row.index),
                         .text(document.status.rawValue), .optional(document.error), .text(row.recordedAt), .int(row.count),
                         .optional(document.errorCode)]
        }
        let sql = "INSERT INTO documents (\(Self.insertColumns.joined(separator: ", "))) VALUES "
            + StoreConnectionValues.list(rows: rows.count, columns: Self.insertColumns.count)
            + " RETURNING id, " + chained.map(\.expression).joined(separator: ", ")
        let names = chained.map(\.name)
        var inserted: [(id: Int64, index: String?, shape: String?, content: [UInt8])] = []
        inserted.reserveCapacity(rows.count)
        try connection.query(sql, bindings, operation: context) { row in
            inserted.append((row.int64(0), row.text(Int32(1 + indexColumn)), row.text(Int32(1 + shapeColumn)),
                             kind.canonical(format: kind.currentFormat, names: names, row: row, from: 1)))
        }
        // Ids are given in the order of the VALUES list (writers hold the store's write lock, so no
        // other insert takes ids in between); each row is checked against the one it stands for.
        inserted.sort { $0.id < $1.id }
        guard inserted.count == rows.count else {
            throw StoreError(operation: context, message: "\(rows.count) document rows inserted, \(inserted.count) returned",
                             path: connection.path)
        }
        var entries: [[StoreValue]] = []
        var trackedRows: [[StoreValue]] = []
        for (row, done) in zip(rows, inserted) {
            let document = row.document
            guard done.index == String(row.index), done.shape == document.shapeID else {
                throw StoreError(operation: context, message: "an inserted document row came back out of order", path: connection.path)
            }
            rowsWritten += 1
            if document.status != .success || document.error != nil {
                entries.append(try chain.entry(.document, subject: .integer(done.id), content: done.content,
                                               executionID: document.executionID))
            }
            guard !document.trackedValues.isEmpty else { continue }
            let processID = try chain.processID(of: document.executionID)
            for (position, tracked) in document.trackedValues.enumerated() {
                let (value, limited) = TrackedValue.limit(tracked.value)
                let cut = tracked.truncated || limited
                let link = try chain.append(ChainContent(
                    executionID: document.executionID, processID: processID, shapeID: document.shapeID,
                    connectionID: document.connectionID, operationID: document.operationID,
                    direction: document.direction, documentIndex: row.index, status: document.status.rawValue,
                    field: tracked.name, value: value, cut: cut, recordedAt: row.recordedAt))
                trackedRows.append([.integer(done.id), .int(position), .text(tracked.name), .text(value),
                                    .int(cut ? 1 : 0), .integer(link.sequence), .blob(link.content), .blob(link.chain)])
            }
        }
        try connection.insertRows(into: "audit_entries", columns: ChainWriter.entryColumns, entries, operation: context)
        try connection.insertRows(into: "tracked_values",
                                  columns: ["document_id", "position", "name", "value", "truncated", "seq", "content_hash", "chain_hash"],
                                  trackedRows, operation: context)
    }
}
