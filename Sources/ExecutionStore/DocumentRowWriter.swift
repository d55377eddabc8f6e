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

    private mutating func insert(_ document: DocumentRecord, index: Int, count: Int) throws {
        let text: String
        if let stamp, stamp.date == document.recordedAt {
            text = stamp.text
        } else {
            text = Timestamp.text(from: document.recordedAt)
            stamp = (document.recordedAt, text)
        }
        let documentID = try connection.insertReturningID(
            """
            INSERT INTO documents (execution_id, shape_id, connection_id, operation_id, direction,
                doc_index, status, error, recorded_at, doc_count, error_code)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id
            """,
            [.text(document.executionID), .text(document.shapeID), .optional(document.connectionID),
             .optional(document.operationID), .text(document.direction), .int(index),
             .text(document.status.rawValue), .optional(document.error), .text(text), .int(count),
             .optional(document.errorCode)],
            operation: context)
        rowsWritten += 1
        if document.status != .success || document.error != nil {
            try chain.append(.document, subject: .integer(documentID), executionID: document.executionID)
        }
        guard !document.trackedValues.isEmpty else { return }
        let processID = try chain.processID(of: document.executionID)
        for (position, tracked) in document.trackedValues.enumerated() {
            let (value, limited) = TrackedValue.limit(tracked.value)
            let cut = tracked.truncated || limited
            let link = try chain.append(ChainContent(
                executionID: document.executionID, processID: processID, shapeID: document.shapeID,
                connectionID: document.connectionID, operationID: document.operationID,
                direction: document.direction, documentIndex: index, status: document.status.rawValue,
                field: tracked.name, value: value, cut: cut, recordedAt: text))
            try connection.execute(
                """
                INSERT INTO tracked_values (document_id, position, name, value, truncated, seq, content_hash, chain_hash)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """,
                [.integer(documentID), .int(position), .text(tracked.name), .text(value),
                 .int(cut ? 1 : 0), .integer(link.sequence), .blob(link.content), .blob(link.chain)],
                operation: context)
        }
    }
}
