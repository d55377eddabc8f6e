extension ExecutionStore {
    /// The first `limit` documents of an execution recorded with status `error` (or `status`), in
    /// recording order, with their tracked values. Reads only those rows, however many documents
    /// the execution recorded.
    public func failedDocuments(executionID: String, limit: Int = 100,
                                status: DocumentStatus = .error) throws -> [DocumentRecord] {
        try withConnection { connection in
            let context = "read failed documents of execution \(executionID)"
            return try connection.transaction(.read, operation: context) {
                var rows: [(rowID: Int64, record: DocumentRecord)] = []
                try connection.query(
                    """
                    SELECT \(Self.documentColumns) FROM documents d
                    WHERE d.execution_id = ?1 AND d.status = ?3 ORDER BY d.id LIMIT ?2
                    """,
                    [.text(executionID), .int(max(0, limit)), .text(status.rawValue)], operation: context) { row in
                    rows.append(try Self.document(from: row, path: connection.path))
                }
                return try rows.map { row in
                    var record = row.record
                    try connection.query(
                        "SELECT name, value, truncated FROM tracked_values WHERE document_id = ?1 ORDER BY position",
                        [.integer(row.rowID)], operation: context) { value in
                        record.trackedValues.append(Self.trackedValue(from: value, first: 0))
                    }
                    return record
                }
            }
        }
    }
}
