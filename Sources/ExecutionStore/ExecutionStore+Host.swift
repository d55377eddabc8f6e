import Foundation

extension ExecutionStore {
    /// The executions matching `query`, newest (latest start time) first.
    public func executions(matching query: ExecutionQuery) throws -> [ExecutionRecord] {
        try withConnection { connection in
            var conditions: [String] = []
            var bindings: [StoreValue] = [.integer(query.limit > 0 ? Int64(query.limit) : Int64.max)]
            func add(_ value: StoreValue, _ condition: (Int) -> String) {
                bindings.append(value)
                conditions.append(condition(bindings.count))
            }
            if let processID = query.processID { add(.text(processID)) { "e.process_id = ?\($0)" } }
            if let status = query.status { add(.text(status.rawValue)) { "e.status = ?\($0)" } }
            if let trigger = query.trigger { add(.text(trigger)) { "e.trigger = ?\($0)" } }
            if let host = query.host { add(.text(host)) { "e.host = ?\($0)" } }
            if let from = query.from { add(.text(StoreTimestamp.text(from: from))) { "e.start_time >= ?\($0)" } }
            if let to = query.to { add(.text(StoreTimestamp.text(from: to))) { "e.start_time < ?\($0)" } }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            var found: [ExecutionRecord] = []
            try connection.query(
                "SELECT \(Self.executionColumns) FROM executions e \(whereClause) "
                    + "ORDER BY e.start_time DESC, e.rowid DESC LIMIT ?1",
                bindings, operation: "list executions") { row in
                found.append(try Self.execution(from: row, path: connection.path))
            }
            return found
        }
    }

    /// Marks executions still `INPROCESS` as `ABORTED` (or `status`) with `message` and end time
    /// `date`; all of them when `ids` is nil. Their counts stay as last stored. Returns the ids it changed.
    /// Each execution marked is chained (sealed) in the same transaction.
    @discardableResult
    public func abortInProcess(ids: [String]? = nil, message: String, status: ExecutionStatus = .aborted,
                               at date: Date = Date()) throws -> [String] {
        let key = auditKey
        return try withConnection { connection in
            let context = "mark unfinished executions ABORTED"
            return try connection.transaction(.write, operation: context) {
                var candidates: [String] = []
                try connection.query("SELECT id FROM executions WHERE status = 'INPROCESS' ORDER BY start_time",
                                     operation: context) { row in
                    if let id = row.text(0) { candidates.append(id) }
                }
                if let ids { candidates = candidates.filter(ids.contains) }
                var chain = ChainWriter(connection: connection, context: context, key: key)
                for id in candidates {
                    try connection.execute(
                        "UPDATE executions SET status = ?4, end_time = ?2, error = COALESCE(error, ?3) "
                            + "WHERE id = ?1 AND status = 'INPROCESS'",
                        [.text(id), .text(StoreTimestamp.text(from: date)), .text(message), .text(status.rawValue)],
                        operation: context)
                    try Self.sealExecution(id, chain: &chain)
                }
                try chain.finish()
                return candidates
            }
        }
    }

    /// The tracking records of document `index` of an execution (every shape and direction), in recording order.
    public func documents(executionID: String, index: Int) throws -> [DocumentRecord] {
        try withConnection { connection in
            let context = "read document \(index) of execution \(executionID)"
            return try connection.transaction(.read, operation: context) {
                var rows: [(rowID: Int64, record: DocumentRecord)] = []
                try connection.query(
                    "SELECT \(Self.documentColumns) FROM documents d WHERE d.execution_id = ?1 AND d.doc_index = ?2 "
                        + "ORDER BY d.id",
                    [.text(executionID), .int(index)], operation: context) { row in
                    rows.append(try Self.document(from: row, path: connection.path))
                }
                return try rows.map { row in
                    var record = row.record
                    try connection.query(
                        "SELECT name, value, truncated FROM tracked_values WHERE document_id = ?1 ORDER BY position",
                        [.integer(row.rowID)], operation: context) { tracked in
                        record.trackedValues.append(Self.trackedValue(from: tracked, first: 0))
                    }
                    return record
                }
            }
        }
    }
}
