extension ExecutionStore {
    /// Stores a batch of document records and their tracked values, in transactions of at most
    /// ``documentsPerTransaction`` records: the store's write lock is never held long by one
    /// batch, so other executions writing to the store (hosts of a cluster, a checkpoint saved
    /// after each request) wait for a short transaction at most.
    ///
    /// Consecutive successful documents without tracked values (same shape, connection,
    /// operation, direction and recording time, indexes following each other) are kept as one
    /// row; a record whose `count` is above 1 stands for that many such documents. Reads answer
    /// one record per document either way.
    /// Tracked values longer than 1000 characters are cut and marked as cut.
    /// Fails, storing nothing, when a document names an execution that was not inserted; when a
    /// later transaction fails, the records of the earlier ones stay (each is a true record).
    public func record(documents: [DocumentRecord]) throws {
        guard let first = documents.first else { return }
        let key = auditKey
        let context = "record \(documents.count) documents for execution \(first.executionID)"
        var start = 0
        while start < documents.count {
            let part = documents[start..<min(documents.count, start + Self.documentsPerTransaction)]
            try withConnection { connection in
                try connection.transaction(.write, operation: context) {
                    var writer = DocumentRowWriter(connection: connection, context: context, key: key)
                    for document in part { try writer.add(document) }
                    try writer.finish()
                }
            }
            start += part.count
        }
    }

    /// The most document records ``record(documents:)`` stores in one transaction.
    static let documentsPerTransaction = 1_000

    /// The number of documents recorded for an execution (a run stored as one row counts
    /// each of its documents).
    public func documentCount(executionID: String) throws -> Int {
        try withConnection { connection in
            var total = 0
            try connection.query("SELECT COALESCE(SUM(doc_count), 0) FROM documents WHERE execution_id = ?1",
                                 [.text(executionID)], operation: "count documents of execution \(executionID)") {
                total = $0.int(0)
            }
            return total
        }
    }

    /// The documents recorded for an execution, one record per document: grouped by shape in
    /// the order each shape was first recorded, then inputs before outputs, then by document index.
    public func documents(executionID: String) throws -> [DocumentRecord] {
        try withConnection { connection in
            let context = "read documents of execution \(executionID)"
            return try connection.transaction(.read, operation: context) {
                var rows: [DocumentRow] = []
                try connection.query(
                    """
                    SELECT \(Self.documentColumns), s.first_id FROM documents d
                    JOIN (SELECT shape_id, MIN(id) AS first_id FROM documents
                          WHERE execution_id = ?1 GROUP BY shape_id) s ON s.shape_id = d.shape_id
                    WHERE d.execution_id = ?1
                    ORDER BY s.first_id, d.direction, d.doc_index, d.id
                    """,
                    [.text(executionID)], operation: context) { row in
                    let read = try Self.document(from: row, path: connection.path)
                    rows.append(DocumentRow(rank: row.int64(12), rowID: read.rowID, record: read.record))
                }
                var tracked: [Int64: [TrackedValue]] = [:]
                try connection.query(
                    """
                    SELECT t.document_id, t.name, t.value, t.truncated FROM tracked_values t
                    JOIN documents d ON d.id = t.document_id
                    WHERE d.execution_id = ?1 ORDER BY t.document_id, t.position
                    """,
                    [.text(executionID)], operation: context) { row in
                    tracked[row.int64(0), default: []].append(Self.trackedValue(from: row, first: 1))
                }
                for position in rows.indices {
                    rows[position].record.trackedValues = tracked[rows[position].rowID] ?? []
                }
                return DocumentRow.expanded(rows)
            }
        }
    }

    /// The documents whose tracked field `field` holds exactly `value`, newest execution first.
    ///
    /// A value longer than 1000 characters is compared as cut at 1000 characters, as stored.
    /// Each match carries the document with all its tracked values and its execution.
    /// With `numeric` (the field is of type `number`), a number is looked up in its canonical text
    /// (``TrackedNumber``), the one values of `number` fields are stored in: `1.0`, `1e0` and `01`
    /// find `1`. Values stored before that was so keep their text and are found by it.
    public func searchTracked(field: String, value: String, limit: Int = 100,
                              numeric: Bool = false) throws -> [TrackedMatch] {
        let alternative = numeric ? TrackedNumber.canonical(value) : nil
        return try withConnection { connection in
            let context = "search tracked field \(field)"
            return try connection.transaction(.read, operation: context) {
                var hits: [(documentID: Int64, executionID: String, value: String)] = []
                try connection.query(
                    """
                    SELECT DISTINCT d.id, e.id, t.value, e.start_time FROM tracked_values t
                    JOIN documents d ON d.id = t.document_id
                    JOIN executions e ON e.id = d.execution_id
                    WHERE t.name = ?1 AND t.value IN (?2, ?4)
                    ORDER BY e.start_time DESC, d.id DESC LIMIT ?3
                    """,
                    [.text(field), .text(TrackedValue.limit(value).value), .integer(limit > 0 ? Int64(limit) : Int64.max),
                     .text(alternative ?? TrackedValue.limit(value).value)],
                    operation: context) { row in
                    hits.append((row.int64(0), row.text(1) ?? "", row.text(2) ?? ""))
                }
                var executions: [String: ExecutionRecord] = [:]
                var matches: [TrackedMatch] = []
                for hit in hits {
                    let execution = try executions[hit.executionID]
                        ?? Self.readExecution(hit.executionID, connection, context: context)
                    executions[hit.executionID] = execution
                    let document = try Self.readDocument(hit.documentID, connection, context: context)
                    matches.append(TrackedMatch(execution: execution, document: document, field: field, value: hit.value))
                }
                return matches
            }
        }
    }

    private static func readExecution(_ id: String, _ connection: any StoreConnection,
                                      context: String) throws -> ExecutionRecord {
        var found: ExecutionRecord?
        try connection.query("SELECT \(executionColumns) FROM executions e WHERE e.id = ?1", [.text(id)],
                             operation: context) { row in
            found = try execution(from: row, path: connection.path)
        }
        guard let found else {
            throw StoreError(operation: context, message: "execution \(id) vanished while reading", path: connection.path)
        }
        return found
    }

    private static func readDocument(_ rowID: Int64, _ connection: any StoreConnection,
                                     context: String) throws -> DocumentRecord {
        var found: DocumentRecord?
        try connection.query("SELECT \(documentColumns) FROM documents d WHERE d.id = ?1", [.integer(rowID)],
                             operation: context) { row in
            found = try document(from: row, path: connection.path).record
        }
        guard var document = found else {
            throw StoreError(operation: context, message: "document \(rowID) vanished while reading",
                             path: connection.path)
        }
        try connection.query(
            "SELECT name, value, truncated FROM tracked_values WHERE document_id = ?1 ORDER BY position",
            [.integer(rowID)], operation: context) { row in
            document.trackedValues.append(trackedValue(from: row, first: 0))
        }
        return document
    }
}
