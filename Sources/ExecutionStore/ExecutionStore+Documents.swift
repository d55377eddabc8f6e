extension ExecutionStore {
    /// Stores a batch of document records and their tracked values in one transaction.
    ///
    /// Tracked values longer than 1000 characters are cut and marked as cut.
    /// Fails, storing nothing, when a document names an execution that was not inserted.
    public func record(documents: [DocumentRecord]) throws {
        guard let first = documents.first else { return }
        try withConnection { connection in
            let context = "record \(documents.count) documents for execution \(first.executionID)"
            try connection.transaction(.write, operation: context) {
                // Batches usually share one timestamp: format it once.
                var stamp = (date: first.recordedAt, text: Timestamp.text(from: first.recordedAt))
                for document in documents {
                    if document.recordedAt != stamp.date {
                        stamp = (document.recordedAt, Timestamp.text(from: document.recordedAt))
                    }
                    try connection.execute(
                        """
                        INSERT INTO documents (execution_id, shape_id, connection_id, operation_id, direction,
                            doc_index, status, error, recorded_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                        """,
                        [.text(document.executionID), .text(document.shapeID), .optional(document.connectionID),
                         .optional(document.operationID), .text(document.direction), .int(document.index),
                         .text(document.status.rawValue), .optional(document.error),
                         .text(stamp.text)],
                        operation: context)
                    let documentID = connection.lastInsertRowID
                    for (position, tracked) in document.trackedValues.enumerated() {
                        let (value, cut) = TrackedValue.limit(tracked.value)
                        try connection.execute(
                            """
                            INSERT INTO tracked_values (document_id, position, name, value, truncated)
                            VALUES (?1, ?2, ?3, ?4, ?5)
                            """,
                            [.integer(documentID), .int(position), .text(tracked.name), .text(value),
                             .int(tracked.truncated || cut ? 1 : 0)],
                            operation: context)
                    }
                }
            }
        }
    }

    /// The documents recorded for an execution: grouped by shape in the order each shape
    /// was first recorded, then inputs before outputs, then by document index.
    public func documents(executionID: String) throws -> [DocumentRecord] {
        try withConnection { connection in
            let context = "read documents of execution \(executionID)"
            return try connection.transaction(.read, operation: context) {
                var rows: [(rowID: Int64, record: DocumentRecord)] = []
                try connection.query(
                    """
                    SELECT \(Self.documentColumns) FROM documents d
                    JOIN (SELECT shape_id, MIN(id) AS first_id FROM documents
                          WHERE execution_id = ?1 GROUP BY shape_id) s ON s.shape_id = d.shape_id
                    WHERE d.execution_id = ?1
                    ORDER BY s.first_id, d.direction, d.doc_index, d.id
                    """,
                    [.text(executionID)], operation: context) { row in
                    rows.append(try Self.document(from: row, path: connection.path))
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
                return rows.map { row in
                    var record = row.record
                    record.trackedValues = tracked[row.rowID] ?? []
                    return record
                }
            }
        }
    }

    /// The documents whose tracked field `field` holds exactly `value`, newest execution first.
    ///
    /// A value longer than 1000 characters is compared as cut at 1000 characters, as stored.
    /// Each match carries the document with all its tracked values and its execution.
    public func searchTracked(field: String, value: String, limit: Int = 100) throws -> [TrackedMatch] {
        try withConnection { connection in
            let context = "search tracked field \(field)"
            return try connection.transaction(.read, operation: context) {
                var hits: [(documentID: Int64, executionID: String, value: String)] = []
                try connection.query(
                    """
                    SELECT DISTINCT d.id, e.id, t.value, e.start_time FROM tracked_values t
                    JOIN documents d ON d.id = t.document_id
                    JOIN executions e ON e.id = d.execution_id
                    WHERE t.name = ?1 AND t.value = ?2
                    ORDER BY e.start_time DESC, d.id DESC LIMIT ?3
                    """,
                    [.text(field), .text(TrackedValue.limit(value).value), .int(limit > 0 ? limit : -1)],
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

    private static func readExecution(_ id: String, _ connection: SQLiteConnection,
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

    private static func readDocument(_ rowID: Int64, _ connection: SQLiteConnection,
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
