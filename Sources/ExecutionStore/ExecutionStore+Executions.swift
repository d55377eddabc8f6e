import Foundation

extension ExecutionStore {
    /// Stores a new execution; fails if an execution with the same id exists. `owner` names the
    /// command running it (see ``ExecutionOwner``), so that it can be marked `ABORTED` once that
    /// command is gone even if its lease file was removed.
    public func insert(_ execution: ExecutionRecord, owner: ExecutionOwner? = nil) throws {
        try withConnection { connection in
            let context = "insert execution \(execution.id)"
            try connection.execute(
                """
                INSERT INTO executions (id, process_id, process_name, trigger, status, start_time, end_time,
                    documents_in, documents_out, documents_error, error, shape_counts, user_log, parent_execution_id,
                    documents_dead_lettered, owner, host)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                """,
                [.text(execution.id), .text(execution.processID), .text(execution.processName),
                 .text(execution.trigger)] + Self.progressValues(execution)
                    + [.optional(execution.parentExecutionID), .int(execution.documentsDeadLettered),
                       .optional(owner?.text), .optional(execution.host ?? host)],
                operation: context)
        }
    }

    /// Stores the counts, shape counts and user log of an execution that is still `INPROCESS`, so
    /// that an execution whose command dies keeps the counts of what it did; does nothing once the
    /// execution has ended.
    public func updateProgress(_ execution: ExecutionRecord) throws {
        try withConnection { connection in
            let context = "update the counts of execution \(execution.id)"
            try connection.execute(
                """
                UPDATE executions SET documents_in = ?2, documents_out = ?3, documents_error = ?4,
                    documents_dead_lettered = ?5, shape_counts = ?6, user_log = ?7, retries = ?8
                WHERE id = ?1 AND status = 'INPROCESS'
                """,
                [.text(execution.id), .int(execution.documentsIn), .int(execution.documentsOut),
                 .int(execution.documentsError), .int(execution.documentsDeadLettered),
                 .text(Self.shapeCountsJSON(execution.shapeCounts)),
                 .text(Self.userLogJSON(execution.userLog)),
                 .int(execution.retries)],
                operation: context)
        }
    }

    /// Updates the status, end time, counts, error, shape counts, user log and retries of a stored execution.
    ///
    /// An execution that is no longer `INPROCESS` is chained (sealed) in the same transaction: the
    /// audit chain then covers these fields as they are now. Fails when no execution has `execution.id`.
    public func update(_ execution: ExecutionRecord) throws {
        let key = auditKey
        try withConnection { connection in
            let context = "update execution \(execution.id)"
            try connection.transaction(.write, operation: context) {
                try connection.execute(
                    """
                    UPDATE executions SET status = ?5, end_time = ?7, documents_in = ?8,
                        documents_out = ?9, documents_error = ?10, error = ?11, shape_counts = ?12, user_log = ?13,
                        retries = ?14, documents_dead_lettered = ?15
                    WHERE id = ?1
                    """,
                    [.text(execution.id), .null, .null, .null]
                        + Self.progressValues(execution)
                        + [.int(execution.retries), .int(execution.documentsDeadLettered)],
                    operation: context)
                guard connection.changes > 0 else {
                    throw StoreError(operation: context, message: "no execution has this id; insert it first",
                                     path: connection.path)
                }
                guard execution.status != .inProcess else { return }
                var chain = ChainWriter(connection: connection, context: context, key: key)
                try Self.sealExecution(execution.id, chain: &chain)
                try chain.finish()
            }
        }
    }

    /// The execution with exactly this id (no prefix matching), or nil.
    public func execution(exactID id: String) throws -> ExecutionRecord? {
        try withConnection { connection in
            var found: ExecutionRecord?
            try connection.query("SELECT \(Self.executionColumns) FROM executions e WHERE e.id = ?1", [.text(id)],
                                 operation: "look up execution \(id)") { row in
                found = try Self.execution(from: row, path: connection.path)
            }
            return found
        }
    }

    /// The execution with `id`, or with an id starting with `id` when that is at least 8 characters
    /// and matches exactly one execution; `nil` when none matches.
    ///
    /// Throws when a prefix matches several executions.
    public func execution(id: String) throws -> ExecutionRecord? {
        try withConnection { connection in
            let context = "look up execution \(id)"
            var found: [ExecutionRecord] = []
            let select = "SELECT \(Self.executionColumns) FROM executions e"
            try connection.query("\(select) WHERE e.id = ?1", [.text(id)], operation: context) { row in
                found.append(try Self.execution(from: row, path: connection.path))
            }
            guard found.isEmpty, id.count >= 8 else { return found.first }
            let prefixMatch = connection.dialect == .sqlite ? "e.id GLOB ?1" : "starts_with(e.id, ?1)"
            let pattern = connection.dialect == .sqlite ? Self.globEscaped(id) + "*" : id
            try connection.query("\(select) WHERE \(prefixMatch) ORDER BY e.id LIMIT 3", [.text(pattern)],
                                 operation: context) { row in
                found.append(try Self.execution(from: row, path: connection.path))
            }
            guard found.count <= 1 else {
                let ids = found.map(\.id).joined(separator: ", ")
                throw StoreError(operation: context,
                                 message: "the id prefix matches several executions (\(ids)…); give more characters",
                                 path: connection.path)
            }
            return found.first
        }
    }

    /// The executions matching `filter`, newest (latest start time) first.
    public func executions(_ filter: ExecutionFilter) throws -> [ExecutionRecord] {
        try executions(matching: ExecutionQuery(processID: filter.processID, status: filter.status, limit: filter.limit))
    }

    /// The executions started by process calls of the execution `parentID`, oldest first.
    public func childExecutions(of parentID: String) throws -> [ExecutionRecord] {
        try withConnection { connection in
            var found: [ExecutionRecord] = []
            try connection.query(
                "SELECT \(Self.executionColumns) FROM executions e WHERE e.parent_execution_id = ?1 "
                    + "ORDER BY e.start_time, e.rowid",
                [.text(parentID)], operation: "list child executions of \(parentID)") { row in
                found.append(try Self.execution(from: row, path: connection.path))
            }
            return found
        }
    }

    /// Values for parameters 5 to 13 of the insert and update statements (the update leaves
    /// the start time, parameter 6, unchanged).
    private static func progressValues(_ execution: ExecutionRecord) -> [StoreValue] {
        [
            .text(execution.status.rawValue),
            .text(StoreTimestamp.text(from: execution.startTime)),
            .optional(execution.endTime.map(StoreTimestamp.text(from:))),
            .int(execution.documentsIn),
            .int(execution.documentsOut),
            .int(execution.documentsError),
            .optional(execution.error),
            .text(shapeCountsJSON(execution.shapeCounts)),
            .text(userLogJSON(execution.userLog)),
        ]
    }

    /// `text` with the GLOB wildcards `*`, `?` and `[` made literal.
    private static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "*", "?", "[": escaped += "[\(character)]"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
