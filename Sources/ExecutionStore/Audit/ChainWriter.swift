/// Appends tracked-field records to the hash chain inside one write transaction.
///
/// The head of the chain (last sequence number and chain hash, or the latest purge checkpoint
/// when every record was purged) is read once, on the first append; later appends keep it in
/// memory. Writers hold the write lock (`BEGIN IMMEDIATE`), so the chain stays linear across
/// connections and processes.
struct ChainWriter {
    let connection: SQLiteConnection
    let context: String
    private var head: (sequence: Int64, hash: [UInt8])?
    private var processIDs: [String: String] = [:]
    /// The first and last sequence numbers appended per execution, stored by ``finish()``.
    private var ranges: [String: (first: Int64, last: Int64)] = [:]

    init(connection: SQLiteConnection, context: String) {
        self.connection = connection
        self.context = context
    }

    /// The sequence number, content hash and chain hash for the next record, which the caller
    /// must insert before appending another.
    mutating func append(_ content: ChainContent) throws -> (sequence: Int64, content: [UInt8], chain: [UInt8]) {
        let previous = try head ?? Self.readHead(connection, context: context)
        guard let contentHash = content.hash(), let chainHash = Digest.link(previous: previous.hash, content: contentHash)
        else {
            throw StoreError(operation: context, message: "OpenSSL could not compute a SHA-256 digest", path: connection.path)
        }
        let sequence = previous.sequence + 1
        head = (sequence, chainHash)
        if let range = ranges[content.executionID] {
            ranges[content.executionID] = (range.first, sequence)
        } else {
            ranges[content.executionID] = (sequence, sequence)
        }
        return (sequence, contentHash, chainHash)
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

    /// Stores, per execution, the range of sequence numbers appended.
    mutating func finish() throws {
        for (executionID, range) in ranges {
            try connection.execute(
                "UPDATE executions SET chain_first = COALESCE(chain_first, ?2), chain_last = ?3 WHERE id = ?1",
                [.text(executionID), .integer(range.first), .integer(range.last)], operation: context)
        }
        ranges = [:]
    }

    /// The last record of the chain, or the latest checkpoint when it is further on, or the genesis.
    static func readHead(_ connection: SQLiteConnection, context: String) throws -> (sequence: Int64, hash: [UInt8]) {
        var head: (sequence: Int64, hash: [UInt8]) = (0, Digest.genesis)
        try connection.query("SELECT seq, chain_hash FROM tracked_values WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
                             operation: context) { head = ($0.int64(0), $0.blob(1)) }
        if let checkpoint = try latestCheckpoint(connection, context: context), checkpoint.lastSequence > head.sequence {
            head = (checkpoint.lastSequence, checkpoint.hash)
        }
        return head
    }

    /// The checkpoint with the highest sequence number, if any purge happened.
    static func latestCheckpoint(_ connection: SQLiteConnection, context: String) throws -> AuditCheckpoint? {
        var found: AuditCheckpoint?
        try connection.query("SELECT \(AuditCheckpoint.columns) FROM audit_checkpoints ORDER BY last_seq DESC, id DESC LIMIT 1",
                             operation: context) { found = try AuditCheckpoint(row: $0, path: connection.path) }
        return found
    }
}
