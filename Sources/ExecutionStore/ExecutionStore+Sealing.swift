/// Bringing records written before the audit trail (or before it covered them) into the hash chain.
extension ExecutionStore {
    /// Whether the tracked values table has the chain columns (false for a new or older database).
    static func hasChainColumns(_ connection: any StoreConnection) throws -> Bool {
        var found = false
        try connection.query("SELECT 1 FROM pragma_table_info('tracked_values') WHERE name = 'seq'",
                             operation: "inspect schema") { _ in found = true }
        return found
    }

    /// Whether the database has the table of chained executions, documents and checkpoints.
    static func hasAuditEntries(_ connection: any StoreConnection) throws -> Bool {
        var found = false
        try connection.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries'",
                             operation: "inspect schema") { _ in found = true }
        return found
    }

    /// Chains the tracked values that have no sequence number, in the order they were written
    /// (document row, then position). Runs once, when a database gains the audit columns.
    static func sealUnchained(_ connection: any StoreConnection, key: AuditKey?) throws {
        let context = "chain tracked values written before the audit trail"
        try connection.transaction(.write, operation: context) {
            var chain = ChainWriter(connection: connection, context: context, key: key)
            while true {
                var rows: [ChainRow] = []
                try connection.query("\(ChainRow.select) WHERE t.seq IS NULL ORDER BY t.document_id, t.position LIMIT 2000",
                                     operation: context) { rows.append(ChainRow(row: $0)) }
                if rows.isEmpty { break }
                for row in rows {
                    let link = try chain.append(row.content)
                    try connection.execute(
                        """
                        UPDATE tracked_values SET seq = ?3, content_hash = ?4, chain_hash = ?5
                        WHERE document_id = ?1 AND position = ?2
                        """,
                        [.integer(row.documentID), .int(row.position), .integer(link.sequence),
                         .blob(link.content), .blob(link.chain)], operation: context)
                }
            }
            try chain.finish()
        }
    }

    /// Chains the documents with errors (in the order they were written), the finished
    /// executions (in the order they were inserted) and the purge checkpoints of a database
    /// written before the chain covered them, and stores the head. Runs once, on upgrade.
    static func sealRecords(_ connection: any StoreConnection, key: AuditKey?) throws {
        let context = "chain executions, document errors and checkpoints written before the audit trail covered them"
        try connection.transaction(.write, operation: context) {
            var chain = ChainWriter(connection: connection, context: context, key: key)
            var documents: [(id: Int64, execution: String)] = []
            try connection.query("SELECT d.id, d.execution_id FROM documents d WHERE \(documentChained) ORDER BY d.id",
                                 operation: context) { documents.append(($0.int64(0), $0.text(1) ?? "")) }
            for document in documents {
                try chain.append(.document, subject: .integer(document.id), executionID: document.execution)
            }
            var executions: [String] = []
            try connection.query("SELECT id FROM executions WHERE status <> 'INPROCESS' ORDER BY rowid",
                                 operation: context) { if let id = $0.text(0) { executions.append(id) } }
            for id in executions { try chain.append(.execution, subject: .text(id), executionID: id) }
            var checkpoints: [Int64] = []
            try connection.query("SELECT id FROM audit_checkpoints ORDER BY id", operation: context) {
                checkpoints.append($0.int64(0))
            }
            for id in checkpoints {
                try signCheckpoint(id, key: key, connection, context: context)
                try chain.append(.checkpoint, subject: .integer(id), executionID: nil)
            }
            try chain.finish()
            try AuditHead.write(connection, key: key, context: context)
        }
    }

    /// The condition on `documents d` rows that the chain covers: a failed document, or one with an error.
    static let documentChained = "(d.status <> 'success' OR d.error IS NOT NULL)"

    /// Chains the execution `id` as it is now (called when it ends or is marked `ABORTED`).
    static func sealExecution(_ id: String, chain: inout ChainWriter) throws {
        try chain.append(.execution, subject: .text(id), executionID: id)
    }
}
