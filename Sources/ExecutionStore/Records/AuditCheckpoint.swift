public import Foundation

/// A purge of the audit trail: what it removed and where the remaining chain starts.
///
/// The chain is verified from the newest checkpoint: the first record kept links to
/// ``lastChainHash``, the chain hash of the last record purged.
public struct AuditCheckpoint: Sendable, Hashable {
    /// The checkpoint's number (1 for the first purge).
    public var id: Int64
    /// When the purge ran.
    public var createdAt: Date
    /// Executions started before this time were eligible for purging.
    public var cutoff: Date
    /// The sequence number of the last tracked record purged so far (0 when none ever was).
    public var lastSequence: Int64
    /// The chain hash (hex) of that record; 64 zeros when none was.
    public var lastChainHash: String { Digest.hex(hash) }
    /// How many tracked-field records the purge deleted.
    public var recordsPurged: Int
    /// How many documents the purge deleted.
    public var documentsPurged: Int
    /// How many executions the purge deleted.
    public var executionsPurged: Int
    /// The chain hash as bytes.
    var hash: [UInt8]

    static let columns = """
        id, created_at, cutoff, last_seq, last_chain_hash, records_purged, documents_purged, executions_purged
        """

    /// Reads a checkpoint from a row selected with ``columns``.
    init(row: StoreRow, path: String) throws {
        id = row.int64(0)
        let created = row.text(1) ?? "", cut = row.text(2) ?? ""
        guard let createdAt = StoreTimestamp.date(from: created), let cutoff = StoreTimestamp.date(from: cut) else {
            throw StoreError(operation: "read audit checkpoint \(row.int64(0))",
                             message: "created_at '\(created)' or cutoff '\(cut)' is not a UTC timestamp", path: path)
        }
        self.createdAt = createdAt
        self.cutoff = cutoff
        lastSequence = row.int64(3)
        hash = row.blob(4)
        recordsPurged = row.int(5)
        documentsPurged = row.int(6)
        executionsPurged = row.int(7)
    }
}
