/// The head of the audit chain as the store last wrote it (table `audit_head`, one row): the
/// last record's sequence number and chain hash, where verification starts (the newest
/// checkpoint) and how many checkpoints exist, signed with the audit key when the store has one.
///
/// Every write that appends to the chain or moves a checkpoint rewrites it. Records cut off the
/// end of the chain leave the head pointing past the last record; without the key, the head
/// cannot be rewritten to match.
struct AuditHead: Equatable {
    var sequence: Int64
    var hash: [UInt8]
    var start: Int64
    var startHash: [UInt8]
    var checkpoints: Int64

    /// The bytes the signature covers.
    var canonicalBytes: [UInt8] {
        var canonical = Canonical(tag: "conveyor-head-v1")
        for part in [String(sequence), Digest.hex(hash), String(start), Digest.hex(startHash), String(checkpoints)] {
            canonical.add(part)
        }
        return canonical.bytes
    }

    /// The head as the tables hold it now.
    static func current(_ connection: any StoreConnection, context: String) throws -> AuditHead {
        let last = try ChainWriter.readHead(connection, context: context)
        let checkpoint = try ChainWriter.latestCheckpoint(connection, context: context)
        var count: Int64 = 0
        try connection.query("SELECT COUNT(*) FROM audit_checkpoints", operation: context) { count = $0.int64(0) }
        return AuditHead(sequence: last.sequence, hash: last.hash, start: checkpoint?.lastSequence ?? 0,
                         startHash: checkpoint?.hash ?? Digest.genesis, checkpoints: count)
    }

    /// Stores the current head, signed with `key` (unsigned without one).
    static func write(_ connection: any StoreConnection, key: AuditKey?, context: String) throws {
        let head = try current(connection, context: context)
        let signature: StoreValue = key.flatMap { $0.sign(head.canonicalBytes) }.map { .blob($0) } ?? .null
        try connection.execute(
            """
            INSERT INTO audit_head (id, seq, chain_hash, start_seq, start_hash, checkpoints, signature)
            VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, chain_hash = excluded.chain_hash,
                start_seq = excluded.start_seq, start_hash = excluded.start_hash,
                checkpoints = excluded.checkpoints, signature = excluded.signature
            """,
            [.integer(head.sequence), .blob(head.hash), .integer(head.start), .blob(head.startHash),
             .integer(head.checkpoints), signature], operation: context)
    }

    /// The stored head and its signature, if any write stored one.
    static func stored(_ connection: any StoreConnection, context: String) throws -> (head: AuditHead, signature: [UInt8]?)? {
        var found: (AuditHead, [UInt8]?)?
        try connection.query("SELECT seq, chain_hash, start_seq, start_hash, checkpoints, signature FROM audit_head WHERE id = 1",
                             operation: context) { row in
            found = (AuditHead(sequence: row.int64(0), hash: row.blob(1), start: row.int64(2), startHash: row.blob(3),
                               checkpoints: row.int64(4)), row.isNull(5) ? nil : row.blob(5))
        }
        return found
    }
}
