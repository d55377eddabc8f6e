/// The checks of ``ExecutionStore/verifyChain()`` after the walk: rows without their record,
/// deleted or edited checkpoints, and the head of the chain with its signature.
struct ChainChecks {
    let connection: any StoreConnection
    let context: String
    let key: AuditKey?
    /// Remarks that are not breaks.
    private(set) var notes: [String] = []

    init(connection: any StoreConnection, context: String, key: AuditKey?) {
        self.connection = connection
        self.context = context
        self.key = key
    }

    /// The first tracked value, document with an error or finished execution without its record.
    func unchained() throws -> ChainBreak? {
        var broken: ChainBreak?
        try connection.query("\(ChainRow.select) WHERE t.seq IS NULL LIMIT 1", operation: context) { row in
            let record = ChainRow(row: row)
            broken = ChainBreak(kind: .unchained, sequence: nil, previousSequence: nil,
                                executionID: record.content.executionID, field: record.content.field)
        }
        if broken != nil { return broken }
        try connection.query(
            """
            SELECT d.execution_id, d.doc_index, d.shape_id, d.direction, d.status FROM documents d
            WHERE \(ExecutionStore.documentChained)
                AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.document_id = d.id)
            ORDER BY d.id LIMIT 1
            """, operation: context) { row in
            broken = ChainBreak(kind: .unchained, sequence: nil, previousSequence: nil, executionID: row.text(0) ?? "",
                                field: "", record: "document \(row.int(1)) of shape \(row.text(2) ?? "") "
                                    + "(\(row.text(3) ?? "")) with status \(row.text(4) ?? "")",
                                detail: "it has an error but no record in the chain: its status or error was "
                                    + "changed outside the store")
        }
        if broken != nil { return broken }
        try connection.query(
            """
            SELECT e.id, e.status FROM executions e WHERE e.status <> 'INPROCESS'
                AND NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.execution_id = e.id AND a.kind = 'execution')
            ORDER BY e.rowid LIMIT 1
            """, operation: context) { row in
            broken = ChainBreak(kind: .unchained, sequence: nil, previousSequence: nil, executionID: row.text(0) ?? "",
                                field: "", record: "execution record",
                                detail: "it is \(row.text(1) ?? "") but has no record in the chain: it was ended or "
                                    + "inserted outside the store")
        }
        return broken
    }

    /// Deleted checkpoints (a gap in their numbers, or a record whose row is gone), checkpoints
    /// that no longer match their record, and, with the key, their signatures.
    mutating func checkpoints() throws -> ChainBreak? {
        var rows: [(id: Int64, signature: [UInt8]?)] = []
        try connection.query("SELECT id, signature FROM audit_checkpoints ORDER BY id", operation: context) {
            rows.append(($0.int64(0), $0.isNull(1) ? nil : $0.blob(1)))
        }
        var expected: Int64 = 1
        for (position, row) in rows.enumerated() {
            if row.id != expected {
                return Self.checkpointBreak(.missing, expected, "it was deleted (checkpoint \(row.id) follows "
                    + (expected > 1 ? "checkpoint \(expected - 1))" : "none)"))
            }
            expected = row.id + 1
            var entry: (content: [UInt8], format: Int)?
            try connection.query(
                "SELECT content_hash, format FROM audit_entries WHERE checkpoint_id = ?1 ORDER BY seq DESC LIMIT 1",
                [.integer(row.id)], operation: context) { entry = ($0.blob(0), $0.int(1)) }
            if let entry {
                let content = try AuditEntryKind.checkpoint.content(of: .integer(row.id), format: entry.format,
                                                                    connection, context: context)
                if content.flatMap(Digest.sha256) != entry.content {
                    return Self.checkpointBreak(.contentChanged, row.id, "its fields do not match its record in the chain")
                }
            } else if position == rows.count - 1 {
                notes.append("checkpoint \(row.id) is open: its purge is running or was interrupted "
                    + "(the next purge chains it)")
            } else {
                return Self.checkpointBreak(.unchained, row.id, "it has no record in the chain: it was inserted "
                    + "outside the store")
            }
            guard let key else { continue }
            guard let signature = row.signature else {
                notes.append("checkpoint \(row.id) is not signed: it was written without the audit key")
                continue
            }
            let content = try AuditEntryKind.checkpoint.content(of: .integer(row.id),
                                                                format: AuditEntryKind.checkpoint.currentFormat,
                                                                connection, context: context)
            if content.flatMap(key.sign) != signature {
                return Self.checkpointBreak(.signatureMismatch, row.id, "it was edited or forged without the audit key")
            }
        }
        var orphan: (sequence: Int64, id: Int64)?
        try connection.query(
            """
            SELECT a.seq, a.checkpoint_id FROM audit_entries a WHERE a.kind = 'checkpoint'
                AND NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.id = a.checkpoint_id)
            ORDER BY a.seq LIMIT 1
            """, operation: context) { orphan = ($0.int64(0), $0.int64(1)) }
        if let orphan {
            return Self.checkpointBreak(.missing, orphan.id, "it was deleted (its record \(orphan.sequence) remains)")
        }
        return nil
    }

    private static func checkpointBreak(_ kind: ChainBreak.Kind, _ id: Int64, _ detail: String) -> ChainBreak {
        ChainBreak(kind: kind, sequence: nil, previousSequence: nil, executionID: "", field: "",
                   record: "checkpoint \(id)", detail: detail)
    }

    /// Compares the head the store last wrote with the chain as walked (`reached`: the last record
    /// that held) and, with the key, checks its signature.
    mutating func head(reached: (sequence: Int64, hash: [UInt8]), checkpoint: AuditCheckpoint?) throws -> ChainBreak? {
        var count: Int64 = 0
        try connection.query("SELECT COUNT(*) FROM audit_checkpoints", operation: context) { count = $0.int64(0) }
        let actual = AuditHead(sequence: reached.sequence, hash: reached.hash, start: checkpoint?.lastSequence ?? 0,
                               startHash: checkpoint?.hash ?? Digest.genesis, checkpoints: count)
        func headBreak(_ kind: ChainBreak.Kind, _ detail: String) -> ChainBreak {
            ChainBreak(kind: kind, sequence: nil, previousSequence: nil, executionID: "", field: "", record: "head",
                       detail: detail)
        }
        guard let stored = try AuditHead.stored(connection, context: context) else {
            if key != nil { return headBreak(.notSigned, "no head is stored: the table audit_head was emptied") }
            notes.append("no head is stored")
            return nil
        }
        if let key {
            guard let signature = stored.signature else {
                return headBreak(.notSigned, "the last write to the chain was made without the audit key "
                    + "(or the signature was removed)")
            }
            if key.sign(stored.head.canonicalBytes) != signature {
                return headBreak(.signatureMismatch, "the head (record \(stored.head.sequence), "
                    + "\(stored.head.checkpoints) checkpoints) was rewritten without the audit key")
            }
        }
        if stored.head.sequence > actual.sequence {
            return headBreak(.tailDeleted, "the chain ends at record \(actual.sequence) but its head is record "
                + "\(stored.head.sequence): records \(actual.sequence + 1) to \(stored.head.sequence) were deleted")
        }
        if stored.head != actual {
            return headBreak(.headMismatch, "the head (record \(stored.head.sequence), \(stored.head.checkpoints) "
                + "checkpoints, verification from record \(stored.head.start)) does not match the chain (record "
                + "\(actual.sequence), \(actual.checkpoints) checkpoints, from record \(actual.start)): records or "
                + "checkpoints were changed")
        }
        return nil
    }
}
