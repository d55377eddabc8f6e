/// The first place where the audit chain does not hold.
public struct ChainBreak: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the record.
    public enum Kind: String, Sendable, Hashable {
        /// The record's fields no longer hash to its stored content hash: its content was edited.
        case contentChanged = "content changed"
        /// The record's content is intact but its chain hash does not follow from the previous
        /// record's: a record before it was deleted, inserted or moved, or its hashes were rewritten.
        case linkBroken = "link broken"
        /// The record has no sequence number: it was inserted outside the store.
        case unchained = "not chained"
    }

    /// What is wrong.
    public var kind: Kind
    /// The record's sequence number (`nil` for an unchained record).
    public var sequence: Int64?
    /// The sequence number of the record the chain expected before it (the previous record
    /// read, or the checkpoint); `nil` for an unchained record.
    public var previousSequence: Int64?
    /// The execution the record belongs to (empty when its document no longer exists).
    public var executionID: String
    /// The tracked field name.
    public var field: String

    /// A stable one-line description, e.g.
    /// `record 42 (execution 1f3a…, field orderId): content changed`.
    public var description: String {
        let record = sequence.map { "record \($0)" } ?? "a record without sequence number"
        let execution = executionID.isEmpty ? "document missing" : "execution \(executionID)"
        var text = "\(record) (\(execution), field \(field)): \(kind.rawValue)"
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
        }
        return text
    }
}
