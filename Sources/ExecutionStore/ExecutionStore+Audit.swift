/// Verifying the hash chain of tracked-field records.
extension ExecutionStore {
    /// Walks the audit chain from the newest checkpoint (or the start) in sequence order,
    /// recomputing each record's content hash and chain hash, and stops at the first break.
    ///
    /// Reads on a connection of its own in one read transaction, one row at a time (constant
    /// memory); writers may go on meanwhile. Records without a sequence number are reported
    /// when the chain itself holds.
    public func verifyChain() throws -> ChainVerification {
        try withScanConnection { connection in
            let context = "verify the audit chain"
            return try connection.transaction(.read, operation: context) {
                let checkpoint = try ChainWriter.latestCheckpoint(connection, context: context)
                var previous = (sequence: checkpoint?.lastSequence ?? 0, hash: checkpoint?.hash ?? Digest.genesis)
                var checked = 0
                var broken: ChainBreak?
                var failure: StoreError?
                try connection.query("\(ChainRow.select) WHERE t.seq > ?1 ORDER BY t.seq", [.integer(previous.sequence)],
                                     operation: context) { row in
                    guard broken == nil, failure == nil else { return }
                    let record = ChainRow(row: row)
                    let sequence = record.sequence ?? 0
                    guard let content = record.content.hash(), let chain = Digest.link(previous: previous.hash,
                                                                                       content: record.contentHash) else {
                        failure = StoreError(operation: context, message: "OpenSSL could not compute a SHA-256 digest",
                                             path: connection.path)
                        return
                    }
                    checked += 1
                    if content != record.contentHash || chain != record.chainHash {
                        broken = ChainBreak(kind: content != record.contentHash ? .contentChanged : .linkBroken,
                                            sequence: sequence, previousSequence: previous.sequence,
                                            executionID: record.content.executionID, field: record.content.field)
                        return
                    }
                    previous = (sequence, record.chainHash)
                }
                if let failure { throw failure }
                if broken == nil {
                    try connection.query("\(ChainRow.select) WHERE t.seq IS NULL LIMIT 1", operation: context) { row in
                        let record = ChainRow(row: row)
                        broken = ChainBreak(kind: .unchained, sequence: nil, previousSequence: nil,
                                            executionID: record.content.executionID, field: record.content.field)
                    }
                }
                return ChainVerification(recordsChecked: checked, headSequence: previous.sequence,
                                         headHash: Digest.hex(previous.hash), checkpoint: checkpoint, firstBreak: broken)
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
