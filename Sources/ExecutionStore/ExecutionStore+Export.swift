/// Streaming tracked-field records out of the store.
extension ExecutionStore {
    /// Calls `body` with every tracked-field record matching `filter`, in chain order, and
    /// returns how many there were.
    ///
    /// Reads on a connection of its own in one read transaction, one row at a time, so memory
    /// stays constant however many records match. An error thrown by `body` stops the export.
    @discardableResult
    public func exportTracked(_ filter: TrackedExportFilter = TrackedExportFilter(),
                              _ body: (TrackedRecord) throws -> Void) throws -> Int {
        var conditions: [String] = []
        var bindings: [StoreValue] = []
        if let field = filter.field {
            bindings += [.text(field.name), .text(TrackedValue.limit(field.value).value)]
            conditions.append("t.document_id IN (SELECT document_id FROM tracked_values "
                + "WHERE name = ?\(bindings.count - 1) AND value = ?\(bindings.count))")
        }
        if let processID = filter.processID {
            bindings.append(.text(processID))
            conditions.append("e.process_id = ?\(bindings.count)")
        }
        if let from = filter.from {
            bindings.append(.text(StoreTimestamp.text(from: from)))
            conditions.append("d.recorded_at >= ?\(bindings.count)")
        }
        if let to = filter.to {
            bindings.append(.text(StoreTimestamp.text(from: to)))
            conditions.append("d.recorded_at < ?\(bindings.count)")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT t.seq, d.execution_id, e.process_id, d.shape_id, d.direction, d.doc_index, d.status,
                t.name, t.value, t.truncated, d.recorded_at, t.chain_hash
            FROM tracked_values t
            JOIN documents d ON d.id = t.document_id
            JOIN executions e ON e.id = d.execution_id
            \(whereClause)
            ORDER BY t.seq
            """
        return try withScanConnection { connection in
            let context = "export tracked records"
            return try connection.transaction(.read, operation: context) {
                var count = 0
                try connection.query(sql, bindings, operation: context) { row in
                    try body(TrackedRecord(
                        sequence: row.int64(0), executionID: row.text(1) ?? "", processID: row.text(2) ?? "",
                        shapeID: row.text(3) ?? "", direction: row.text(4) ?? "", documentIndex: row.int(5),
                        status: row.text(6) ?? "", field: row.text(7) ?? "", value: row.text(8) ?? "",
                        cut: row.int(9) != 0, recordedAt: row.text(10) ?? "", chainHash: Digest.hex(row.blob(11))))
                    count += 1
                }
                return count
            }
        }
    }
}
