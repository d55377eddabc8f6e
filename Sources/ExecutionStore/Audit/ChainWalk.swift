/// Walks the chain in sequence order from a checkpoint: tracked-field records and the other
/// records (`audit_entries`) merged on their shared sequence.
struct ChainWalk {
    let connection: any StoreConnection
    let context: String
    /// The last record that held (the start checkpoint before any).
    private(set) var previous: (sequence: Int64, hash: [UInt8])
    private(set) var checked = 0
    private(set) var broken: ChainBreak?

    init(connection: any StoreConnection, context: String, start: (sequence: Int64, hash: [UInt8])) {
        self.connection = connection
        self.context = context
        previous = start
    }

    mutating func run() throws {
        var failure: StoreError?
        try connection.query(Self.trackedAndEntries, [.integer(previous.sequence)], operation: context) { row in
            guard broken == nil, failure == nil else { return }
            do {
                try check(row)
            } catch let error as StoreError {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// The tracked records (``ChainRow`` columns, then four NULLs) and the other records (their
    /// hashes and execution in the same places, then kind, format, document and checkpoint).
    private static let trackedAndEntries = """
        SELECT t.seq, t.content_hash, t.chain_hash, d.execution_id, e.process_id, d.shape_id,
            d.connection_id, d.operation_id, d.direction, d.doc_index, d.status, t.name, t.value,
            t.truncated, d.recorded_at, t.document_id, t.position, NULL, NULL, NULL, NULL
        FROM tracked_values t
        LEFT JOIN documents d ON d.id = t.document_id
        LEFT JOIN executions e ON e.id = d.execution_id
        WHERE t.seq > ?1
        UNION ALL
        SELECT a.seq, a.content_hash, a.chain_hash, a.execution_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
            NULL, NULL, NULL, NULL, NULL, a.kind, a.format, a.document_id, a.checkpoint_id
        FROM audit_entries a WHERE a.seq > ?1
        ORDER BY 1
        """

    private mutating func check(_ row: StoreRow) throws {
        let sequence = row.int64(0)
        let storedContent = row.blob(1), storedChain = row.blob(2)
        let content: [UInt8]?
        var executionID = row.text(3) ?? "", field = ""
        var entry: (kind: AuditEntryKind, subject: StoreValue)?
        if let kindText = row.text(17) {
            guard let kind = AuditEntryKind(rawValue: kindText) else {
                throw StoreError(operation: context, message: "record \(sequence) has the unknown kind '\(kindText)'",
                                 path: connection.path)
            }
            let subject: StoreValue = switch kind {
            case .execution: .text(executionID)
            case .document: .integer(row.int64(19))
            case .checkpoint: .integer(row.int64(20))
            }
            entry = (kind, subject)
            if try isLatest(kind, subject: subject, sequence: sequence) {
                let bytes = try kind.content(of: subject, format: row.int(18), connection, context: context)
                content = bytes.flatMap(Digest.sha256) ?? []
            } else {
                content = storedContent   // superseded by a later record of the same row: its link is checked
            }
            if kind == .checkpoint { executionID = "" }
        } else {
            let tracked = ChainRow(row: row)
            executionID = tracked.content.executionID
            field = tracked.content.field
            content = tracked.content.hash()
        }
        guard let content, let chain = Digest.link(previous: previous.hash, content: storedContent) else {
            throw StoreError(operation: context, message: "OpenSSL could not compute a SHA-256 digest", path: connection.path)
        }
        checked += 1
        if content != storedContent || chain != storedChain {
            let record = try entry.map { try describe($0.kind, subject: $0.subject) }
            broken = ChainBreak(kind: content != storedContent ? .contentChanged : .linkBroken, sequence: sequence,
                                previousSequence: previous.sequence, executionID: executionID, field: field, record: record)
            return
        }
        previous = (sequence, storedChain)
    }

    /// Whether record `sequence` is the latest of its execution or checkpoint (documents have one).
    private func isLatest(_ kind: AuditEntryKind, subject: StoreValue, sequence: Int64) throws -> Bool {
        let sql: String
        switch kind {
        case .document: return true
        case .execution: sql = "SELECT MAX(seq) FROM audit_entries WHERE execution_id = ?1 AND kind = 'execution'"
        case .checkpoint: sql = "SELECT MAX(seq) FROM audit_entries WHERE checkpoint_id = ?1"
        }
        var latest = sequence
        try connection.query(sql, [subject], operation: context) { latest = $0.int64(0) }
        return latest == sequence
    }

    /// What a record covers, for messages.
    private func describe(_ kind: AuditEntryKind, subject: StoreValue) throws -> String {
        switch (kind, subject) {
        case (.document, .integer(let id)):
            var text = "document row \(id), deleted"
            try connection.query("SELECT doc_index, shape_id, direction FROM documents WHERE id = ?1", [subject],
                                 operation: context) { row in
                text = "document \(row.int(0)) of shape \(row.text(1) ?? "") (\(row.text(2) ?? ""))"
            }
            return text
        case (.checkpoint, .integer(let id)):
            return "checkpoint \(id)"
        default:
            return "execution record"
        }
    }
}
