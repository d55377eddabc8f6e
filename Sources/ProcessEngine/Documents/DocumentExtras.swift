import DocumentMapping

/// The parts of a ``Document`` that few documents have: its parsed form and its tryCatch origins.
/// Immutable and shared between copies of a document; a change stores a new one.
final class DocumentExtras: Sendable {
    /// The parsed form, when a shape parsed or built it.
    let json: JSONValue?
    /// tryCatch scope id → the document's position among that scope's inputs.
    let tryOrigins: [Int: Int]

    /// The extras holding these values, or nil when there is nothing to hold.
    init?(json: JSONValue?, tryOrigins: [Int: Int]) {
        guard json != nil || !tryOrigins.isEmpty else { return nil }
        self.json = json
        self.tryOrigins = tryOrigins
    }
}
