/// The first place where the audit chain does not hold.
public struct ChainBreak: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: String, Sendable, Hashable {
        /// The record's fields no longer hash to its stored content hash: its content was edited
        /// (or the row it covers was deleted).
        case contentChanged = "content changed"
        /// The record's content is intact but its chain hash does not follow from the previous
        /// record's: a record before it was deleted, inserted or moved, or its hashes were rewritten.
        case linkBroken = "link broken"
        /// The record has no sequence number, or a row the chain covers has no record: it was
        /// inserted (or changed to need one) outside the store.
        case unchained = "not chained"
        /// A purge checkpoint was deleted.
        case missing = "missing"
        /// The chain ends before the head the store last wrote: records were cut off its end.
        case tailDeleted = "tail deleted"
        /// The head the store last wrote does not match the chain or the checkpoints.
        case headMismatch = "head does not match"
        /// A signature made with the audit key does not match: the head or a checkpoint was
        /// rewritten or forged by someone without the key.
        case signatureMismatch = "signature does not match"
        /// The head has no signature although an audit key was given.
        case notSigned = "not signed"
    }

    /// What is wrong.
    public var kind: Kind
    /// The record's sequence number (`nil` for an unchained record, the head or a checkpoint).
    public var sequence: Int64?
    /// The sequence number of the record the chain expected before it (the previous record
    /// read, or the checkpoint); `nil` for an unchained record.
    public var previousSequence: Int64?
    /// The execution the record belongs to (empty when it belongs to none, or its document no longer exists).
    public var executionID: String
    /// The tracked field name (empty for other records).
    public var field: String
    /// What the record covers: `field orderId`, `execution record`, `document 3 of shape insert
    /// (input)`, `checkpoint 2`, or `head` for the head of the chain.
    public var record: String
    /// The explanation, for breaks of the head and of checkpoints.
    public var detail: String?

    /// Creates a break.
    public init(kind: Kind, sequence: Int64?, previousSequence: Int64?, executionID: String, field: String,
                record: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.sequence = sequence
        self.previousSequence = previousSequence
        self.executionID = executionID
        self.field = field
        self.record = record ?? "field \(field)"
        self.detail = detail
    }

    /// A stable one-line description, e.g.
    /// `record 42 (execution 1f3a…, field orderId): content changed: its fields do not match its content hash`.
    public var description: String {
        let tracked = record.hasPrefix("field ")
        let entry = sequence.map { "record \($0)" } ?? (tracked ? "a record without sequence number" : "")
        let execution = executionID.isEmpty ? (tracked ? "document missing" : "") : "execution \(executionID)"
        let inside = [execution, record].filter { !$0.isEmpty }.joined(separator: ", ")
        var text = (entry.isEmpty ? inside : "\(entry) (\(inside))") + ": \(kind.rawValue)"
        if let detail { return text + ": " + detail }
        switch kind {
        case .contentChanged:
            text += ": its fields do not match its content hash"
        case .linkBroken:
            if let sequence, let previousSequence, sequence != previousSequence + 1 {
                text += ": it follows record \(previousSequence); records in between are missing"
            } else if let previousSequence {
                text += ": its chain hash does not follow from record \(previousSequence)"
            }
        case .unchained:
            text += ": it was not written by the store"
        default:
            break
        }
        return text
    }
}
