/// The value of one custom tracked field for one document.
public struct TrackedValue: Sendable, Hashable, Codable {
    /// The longest value kept, in characters; longer values are cut and marked.
    public static let maximumLength = 1000

    /// The tracked field name, as defined in the tracked-fields component.
    public var name: String
    /// The value, at most ``maximumLength`` characters.
    public var value: String
    /// Whether the original value was longer than ``maximumLength`` and was cut.
    public var truncated: Bool

    /// Creates a tracked value, cutting values longer than 1000 characters and marking them as cut.
    public init(name: String, value: String) {
        self.name = name
        let (kept, cut) = Self.limit(value)
        self.value = kept
        self.truncated = cut
    }

    /// Creates a tracked value exactly as stored.
    package init(name: String, storedValue: String, truncated: Bool) {
        self.name = name
        self.value = storedValue
        self.truncated = truncated
    }

    /// Returns `value` cut to ``maximumLength`` characters, and whether it was cut.
    package static func limit(_ value: String) -> (value: String, truncated: Bool) {
        // Cheap check first: a string of at most 1000 UTF-8 bytes has at most 1000 characters.
        if value.utf8.count <= maximumLength { return (value, false) }
        guard value.count > maximumLength else { return (value, false) }
        return (String(value.prefix(maximumLength)), true)
    }
}
