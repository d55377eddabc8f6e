/// The outcome of walking the audit chain.
public struct ChainVerification: Sendable, Hashable {
    /// How many records were checked (those after the newest checkpoint).
    public var recordsChecked: Int
    /// The sequence number of the last record (the checkpoint's when no record follows it; 0 when empty).
    public var headSequence: Int64
    /// The chain hash (hex) of the last record: note it down to detect later rewrites of the whole chain.
    public var headHash: String
    /// The newest checkpoint, where the walk started, if a purge ever ran.
    public var checkpoint: AuditCheckpoint?
    /// The first broken link, or `nil` when the chain is intact.
    public var firstBreak: ChainBreak?
    /// Whether the head and checkpoint signatures were checked (an audit key was given).
    public var signaturesChecked: Bool = false
    /// Remarks that are not breaks, e.g. a checkpoint written without the audit key, or one whose
    /// purge is still running.
    public var notes: [String] = []

    /// Whether every record checked holds.
    public var isIntact: Bool { firstBreak == nil }
}
