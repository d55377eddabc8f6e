/// Verifying the audit chain.
extension ExecutionStore {
    /// Walks the audit chain from the newest checkpoint (or the start) in sequence order,
    /// recomputing each record's content hash and chain hash, and stops at the first break.
    /// Then checks that every row the chain covers has its record (tracked values, documents with
    /// errors, finished executions, checkpoints), that no checkpoint was deleted or edited, and
    /// that the chain reaches the head the store last wrote. With the store's audit key, the
    /// head and checkpoint signatures are checked too.
    ///
    /// Reads on a connection of its own in one read transaction, one row at a time (constant
    /// memory); writers may go on meanwhile.
    public func verifyChain() throws -> ChainVerification {
        let key = auditKey
        return try withScanConnection { connection in
            let context = "verify the audit chain"
            return try connection.transaction(.read, operation: context) {
                let checkpoint = try ChainWriter.latestCheckpoint(connection, context: context)
                var walk = ChainWalk(connection: connection, context: context,
                                     start: (checkpoint?.lastSequence ?? 0, checkpoint?.hash ?? Digest.genesis))
                try walk.run()
                var result = ChainVerification(recordsChecked: walk.checked, headSequence: walk.previous.sequence,
                                               headHash: Digest.hex(walk.previous.hash), checkpoint: checkpoint,
                                               firstBreak: walk.broken, signaturesChecked: key != nil)
                var checks = ChainChecks(connection: connection, context: context, key: key)
                if result.firstBreak == nil { result.firstBreak = try checks.unchained() }
                if result.firstBreak == nil { result.firstBreak = try checks.checkpoints() }
                if result.firstBreak == nil {
                    result.firstBreak = try checks.head(reached: walk.previous, checkpoint: checkpoint)
                }
                result.notes = checks.notes
                return result
            }
        }
    }

    /// Every purge checkpoint, oldest first.
    public func auditCheckpoints() throws -> [AuditCheckpoint] {
        try withConnection { connection in
            var found: [AuditCheckpoint] = []
            try connection.query("SELECT \(AuditCheckpoint.columns) FROM audit_checkpoints ORDER BY id",
                                 operation: "list audit checkpoints") { found.append(try AuditCheckpoint(row: $0, path: connection.path)) }
            return found
        }
    }
}
