public import Foundation

/// Purging old executions while keeping the audit chain verifiable.
extension ExecutionStore {
    /// Deletes the executions started more than `retention` before `now`, with their documents
    /// and tracked-field records; see ``purge(startedBefore:now:)``.
    @discardableResult
    public func purge(retention: RetentionPeriod, now: Date = Date()) throws -> AuditCheckpoint {
        try purge(startedBefore: retention.cutoff(before: now), now: now)
    }

    /// Deletes the finished executions started before `cutoff`, with their documents and
    /// tracked-field records, and records the purge as a checkpoint.
    ///
    /// Only a prefix of the audit chain is ever deleted: an old execution whose records are
    /// interleaved with those of an execution that is kept (newer or still running) is kept too,
    /// until a later purge. The checkpoint holds the sequence number and chain hash of the last
    /// record purged, so ``verifyChain()`` starts there. Executions are deleted one per write
    /// transaction, the checkpoint updated in each, so other writers are never held up long and
    /// the chain verifies at every step.
    @discardableResult
    public func purge(startedBefore cutoff: Date, now: Date = Date()) throws -> AuditCheckpoint {
        let cutoffText = StoreTimestamp.text(from: cutoff)
        let plan = try purgePlan(cutoff: cutoffText)
        let key = auditKey
        let checkpointID: Int64 = try withConnection { connection in
            let context = "record purge before \(cutoffText)"
            return try connection.transaction(.write, operation: context) {
                try Self.chainOpenCheckpoints(connection, key: key, context: context)
                let latest = try ChainWriter.latestCheckpoint(connection, context: context)
                let id = try connection.insertReturningID(
                    """
                    INSERT INTO audit_checkpoints (created_at, cutoff, last_seq, last_chain_hash)
                    VALUES (?1, ?2, ?3, ?4) RETURNING id
                    """,
                    [.text(StoreTimestamp.text(from: now)), .text(cutoffText), .integer(latest?.lastSequence ?? 0),
                     .blob(latest?.hash ?? Digest.genesis)], operation: context)
                try Self.signCheckpoint(id, key: key, connection, context: context)
                try AuditHead.write(connection, key: key, context: context)
                return id
            }
        }
        for candidate in plan {
            try withConnection { connection in
                try Self.purgeExecution(candidate, checkpointID: checkpointID, key: key, connection)
            }
        }
        try withConnection { connection in
            let context = "chain the checkpoint of the purge before \(cutoffText)"
            try connection.transaction(.write, operation: context) {
                var chain = ChainWriter(connection: connection, context: context, key: key)
                try chain.append(.checkpoint, subject: .integer(checkpointID), executionID: nil)
                try chain.finish()
            }
        }
        return try withConnection { connection in
            var found: AuditCheckpoint?
            try connection.query("SELECT \(AuditCheckpoint.columns) FROM audit_checkpoints WHERE id = ?1",
                                 [.integer(checkpointID)], operation: "read audit checkpoint \(checkpointID)") {
                found = try AuditCheckpoint(row: $0, path: connection.path)
            }
            guard let found else {
                throw StoreError(operation: "read audit checkpoint \(checkpointID)", message: "the checkpoint vanished",
                                 path: connection.path)
            }
            return found
        }
    }

    /// An execution to purge and the last sequence number of its tracked records.
    struct PurgeCandidate: Sendable {
        var id: String
        var first: Int64?
        var last: Int64?
    }

    /// The executions that can be purged without leaving a gap in the chain, in chain order.
    private func purgePlan(cutoff: String) throws -> [PurgeCandidate] {
        try withConnection { connection in
            let context = "plan purge before \(cutoff)"
            return try connection.transaction(.read, operation: context) {
                let eligible = "start_time < ?1 AND status <> 'INPROCESS'"
                var limit = Int64.max
                try connection.query("SELECT MIN(chain_first) FROM executions WHERE NOT (\(eligible))",
                                     [.text(cutoff)], operation: context) { row in
                    if !row.isNull(0) { limit = row.int64(0) }
                }
                var candidates: [PurgeCandidate] = []
                try connection.query("SELECT id, chain_first, chain_last FROM executions WHERE \(eligible)",
                                     [.text(cutoff)], operation: context) { row in
                    candidates.append(PurgeCandidate(id: row.text(0) ?? "", first: row.isNull(1) ? nil : row.int64(1),
                                                     last: row.isNull(2) ? nil : row.int64(2)))
                }
                // An execution reaching past the limit is kept, and its first record lowers the limit.
                var changed = true
                while changed {
                    changed = false
                    candidates.removeAll { candidate in
                        guard let last = candidate.last, last >= limit else { return false }
                        limit = min(limit, candidate.first ?? last)
                        changed = true
                        return true
                    }
                }
                return candidates.sorted { ($0.last ?? 0) < ($1.last ?? 0) }
            }
        }
    }

    /// Deletes one execution (its documents and tracked values cascade) and moves the checkpoint.
    private static func purgeExecution(_ candidate: PurgeCandidate, checkpointID: Int64, key: AuditKey?,
                                       _ connection: any StoreConnection) throws {
        let context = "purge execution \(candidate.id)"
        try connection.transaction(.write, operation: context) {
            var documents = 0, records = 0
            try connection.query("SELECT COALESCE(SUM(doc_count), 0) FROM documents WHERE execution_id = ?1",
                                 [.text(candidate.id)], operation: context) { documents = $0.int(0) }
            try connection.query(
                "SELECT COUNT(*) FROM tracked_values t JOIN documents d ON d.id = t.document_id WHERE d.execution_id = ?1",
                [.text(candidate.id)], operation: context) { records = $0.int(0) }
            var sequence: Int64 = 0
            try connection.query("SELECT last_seq FROM audit_checkpoints WHERE id = ?1", [.integer(checkpointID)],
                                 operation: context) { sequence = $0.int64(0) }
            if let last = candidate.last, last > sequence {
                var hash: [UInt8]?
                try connection.query(
                    "SELECT chain_hash FROM tracked_values WHERE seq = ?1 UNION ALL SELECT chain_hash FROM audit_entries WHERE seq = ?1",
                    [.integer(last)], operation: context) { hash = $0.blob(0) }
                guard let hash else {
                    throw StoreError(operation: context,
                                     message: "record \(last) is missing, so the chain is broken; "
                                         + "run `conveyor audit verify` before purging",
                                     path: connection.path)
                }
                try connection.execute("UPDATE audit_checkpoints SET last_seq = ?2, last_chain_hash = ?3 WHERE id = ?1",
                                       [.integer(checkpointID), .integer(last), .blob(hash)], operation: context)
            }
            try connection.execute("DELETE FROM executions WHERE id = ?1", [.text(candidate.id)], operation: context)
            try connection.execute(
                """
                UPDATE audit_checkpoints SET records_purged = records_purged + ?2,
                    documents_purged = documents_purged + ?3, executions_purged = executions_purged + ?4
                WHERE id = ?1
                """,
                [.integer(checkpointID), .int(records), .int(documents), .int(connection.changes > 0 ? 1 : 0)],
                operation: context)
            try signCheckpoint(checkpointID, key: key, connection, context: context)
            try AuditHead.write(connection, key: key, context: context)
        }
    }

    /// Signs checkpoint `id` as it is now with `key`; without a key, removes any signature (the
    /// row no longer matches it).
    static func signCheckpoint(_ id: Int64, key: AuditKey?, _ connection: any StoreConnection, context: String) throws {
        var signature: StoreValue = .null
        if let key, let content = try AuditEntryKind.checkpoint.content(
            of: .integer(id), format: AuditEntryKind.checkpoint.currentFormat, connection, context: context) {
            guard let signed = key.sign(content) else {
                throw StoreError(operation: context, message: "OpenSSL could not compute an HMAC", path: connection.path)
            }
            signature = .blob(signed)
        }
        try connection.execute("UPDATE audit_checkpoints SET signature = ?2 WHERE id = ?1", [.integer(id), signature],
                               operation: context)
    }

    /// Chains the checkpoints of purges that were interrupted before their end chained them.
    private static func chainOpenCheckpoints(_ connection: any StoreConnection, key: AuditKey?, context: String) throws {
        var open: [Int64] = []
        try connection.query(
            """
            SELECT c.id FROM audit_checkpoints c
            WHERE NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.checkpoint_id = c.id) ORDER BY c.id
            """, operation: context) { open.append($0.int64(0)) }
        guard !open.isEmpty else { return }
        var chain = ChainWriter(connection: connection, context: context, key: key)
        for id in open { try chain.append(.checkpoint, subject: .integer(id), executionID: nil) }
        try chain.finish()
    }
}
