/// One HTTP header field: a name and a value, in the order they appear on the wire.
public struct HTTPHeader: Sendable, Hashable {
    /// The field name, as written by the sender (compare case-insensitively).
    public var name: String
    /// The field value, without surrounding whitespace.
    public var value: String

    /// Creates a header field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first field named `name` (case-insensitive), if any.
    public func first(named name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether a field named `name` (case-insensitive) is present.
    public func contains(named name: String) -> Bool {
        first(named: name) != nil
    }
}
