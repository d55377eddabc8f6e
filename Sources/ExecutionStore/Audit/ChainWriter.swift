/// Appends records to the hash chain inside one write transaction: tracked-field records (rows
/// of `tracked_values`) and the other records (rows of `audit_entries`: finished executions,
/// documents with errors, purge checkpoints). Both share one sequence.
///
/// The head of the chain (last sequence number and chain hash, or the latest purge checkpoint
/// when it is further on) is read once, on the first append; later appends keep it in memory.
/// Writers hold the write lock (`BEGIN IMMEDIATE`), so the chain stays linear across connections
/// and processes. ``finish()`` stores the new head, signed when the store has an audit key.
struct ChainWriter {
    let connection: any StoreConnection
    let context: String
    let key: AuditKey?
    private var head: (sequence: Int64, hash: [UInt8])?
    private var processIDs: [String: String] = [:]
    /// The first and last sequence numbers appended per execution, stored by ``finish()``.
    private var ranges: [String: (first: Int64, last: Int64)] = [:]
    /// Whether anything was appended since the last ``finish()``.
    private var appended = false

    init(connection: any StoreConnection, context: String, key: AuditKey?) {
        self.connection = connection
        self.context = context
        self.key = key
    }

    /// The sequence number, content hash and chain hash for the next tracked record, which the
    /// caller must insert before appending another.
    mutating func append(_ content: ChainContent) throws -> (sequence: Int64, content: [UInt8], chain: [UInt8]) {
        guard let contentHash = content.hash() else { throw digestFailure() }
        let link = try link(contentHash, executionID: content.executionID)
        return (link.sequence, contentHash, link.chain)
    }

    /// Appends an entry for the subject row `subject` of `kind` (an execution id, or a document
    /// or checkpoint row id), reading its content from the row.
    mutating func append(_ kind: AuditEntryKind, subject: StoreValue, executionID: String?) throws {
        guard let content = try kind.content(of: subject, format: kind.currentFormat, connection, context: context) else {
            throw StoreError(operation: context, message: "the \(kind.rawValue) to chain does not exist", path: connection.path)
        }
        try connection.insertRows(into: "audit_entries", columns: Self.entryColumns,
                                  [try entry(kind, subject: subject, content: content, executionID: executionID)],
                                  operation: context)
    }

    /// The columns of an `audit_entries` row, in the order ``entry(_:subject:content:executionID:)`` gives them.
    static let entryColumns = ["seq", "kind", "format", "execution_id", "document_id", "checkpoint_id", "content_hash", "chain_hash"]

    /// Appends an entry for the subject row `subject` of `kind` whose canonical `content` the caller
    /// read (in the kind's current format), and returns the `audit_entries` row (``entryColumns``)
    /// for the caller to insert before the transaction ends.
    mutating func entry(_ kind: AuditEntryKind, subject: StoreValue, content: [UInt8], executionID: String?) throws -> [StoreValue] {
        guard let contentHash = Digest.sha256(content) else { throw digestFailure() }
        let link = try link(contentHash, executionID: executionID)
        let document: StoreValue = kind == .document ? subject : .null
        let checkpoint: StoreValue = kind == .checkpoint ? subject : .null
        return [.integer(link.sequence), .text(kind.rawValue), .int(kind.currentFormat), .optional(executionID), document,
                checkpoint, .blob(contentHash), .blob(link.chain)]
    }

    private mutating func link(_ contentHash: [UInt8], executionID: String?) throws -> (sequence: Int64, chain: [UInt8]) {
        let previous = try head ?? Self.readHead(connection, context: context)
        guard let chainHash = Digest.link(previous: previous.hash, content: contentHash) else { throw digestFailure() }
        let sequence = previous.sequence + 1
        head = (sequence, chainHash)
        appended = true
        if let executionID {
            if let range = ranges[executionID] {
                ranges[executionID] = (range.first, sequence)
            } else {
                ranges[executionID] = (sequence, sequence)
            }
        }
        return (sequence, chainHash)
    }

    private func digestFailure() -> StoreError {
        StoreError(operation: context, message: "OpenSSL could not compute a SHA-256 digest", path: connection.path)
    }

    /// The process id of an execution, read once per execution.
    mutating func processID(of executionID: String) throws -> String {
        if let known = processIDs[executionID] { return known }
        var found: String?
        try connection.query("SELECT process_id FROM executions WHERE id = ?1", [.text(executionID)],
                             operation: context) { found = $0.text(0) }
        guard let found else {
            throw StoreError(operation: context, message: "execution \(executionID) was not inserted; insert it first",
                             path: connection.path)
        }
        processIDs[executionID] = found
        return found
    }

    /// Stores, per execution, the range of sequence numbers appended, and the new head.
    mutating func finish() throws {
        for (executionID, range) in ranges {
            try connection.execute(
                "UPDATE executions SET chain_first = COALESCE(chain_first, ?2), chain_last = ?3 WHERE id = ?1",
                [.text(executionID), .integer(range.first), .integer(range.last)], operation: context)
        }
        ranges = [:]
        if appended { try AuditHead.write(connection, key: key, context: context) }
        appended = false
    }

    /// The last record of the chain, or the latest checkpoint when it is further on, or the genesis.
    static func readHead(_ connection: any StoreConnection, context: String) throws -> (sequence: Int64, hash: [UInt8]) {
        var head: (sequence: Int64, hash: [UInt8]) = (0, Digest.genesis)
        try connection.query("SELECT seq, chain_hash FROM tracked_values WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
                             operation: context) { head = ($0.int64(0), $0.blob(1)) }
        try connection.query("SELECT seq, chain_hash FROM audit_entries ORDER BY seq DESC LIMIT 1",
                             operation: context) { row in
            if row.int64(0) > head.sequence { head = (row.int64(0), row.blob(1)) }
        }
        if let checkpoint = try latestCheckpoint(connection, context: context), checkpoint.lastSequence > head.sequence {
            head = (checkpoint.lastSequence, checkpoint.hash)
        }
        return head
    }

    /// The checkpoint with the highest sequence number, if any purge happened.
    static func latestCheckpoint(_ connection: any StoreConnection, context: String) throws -> AuditCheckpoint? {
        var found: AuditCheckpoint?
        try connection.query("SELECT \(AuditCheckpoint.columns) FROM audit_checkpoints ORDER BY last_seq DESC, id DESC LIMIT 1",
                             operation: context) { found = try AuditCheckpoint(row: $0, path: connection.path) }
        return found
    }
}
