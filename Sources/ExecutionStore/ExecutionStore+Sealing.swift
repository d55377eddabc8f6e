/// Bringing tracked values written before the audit trail existed into the hash chain.
extension ExecutionStore {
    /// Whether the tracked values table has the chain columns (false for a new or older database).
    static func hasChainColumns(_ connection: SQLiteConnection) throws -> Bool {
        var found = false
        try connection.query("SELECT 1 FROM pragma_table_info('tracked_values') WHERE name = 'seq'",
                             operation: "inspect schema") { _ in found = true }
        return found
    }

    /// Chains the tracked values that have no sequence number, in the order they were written
    /// (document row, then position). Runs once, when a database gains the audit columns.
    static func sealUnchained(_ connection: SQLiteConnection) throws {
        let context = "chain tracked values written before the audit trail"
        try connection.transaction(.write, operation: context) {
            var chain = ChainWriter(connection: connection, context: context)
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
}
