/// Why a document could not be read by its profile: not well-formed, or values that do not fit.
///
/// `description` reads `document 3: /order/items/2/qty: 'x' is not a number`; several problems
/// are joined with `; `. The document index is the one the caller passed (nil: not shown).
public struct DocumentReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The caller's index of the document, for messages.
    public var documentIndex: Int?
    /// The profile the document was read with.
    public var profileID: String
    /// Each problem with its path (`/` for the whole document).
    public var violations: [ProfileViolation]

    /// Creates an error.
    public init(documentIndex: Int?, profileID: String, violations: [ProfileViolation]) {
        self.documentIndex = documentIndex
        self.profileID = profileID
        self.violations = violations
    }

    public var description: String {
        let prefix = documentIndex.map { "document \($0): " } ?? ""
        return prefix + violations.map(\.description).joined(separator: "; ")
    }
}

/// Why a value could not be written in a profile's format (e.g. an XML document without its root).
public struct DocumentWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The profile the value was written with.
    public var profileID: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(profileID: String, message: String) {
        self.profileID = profileID
        self.message = message
    }

    public var description: String { "profile '\(profileID)': \(message)" }
}
