/// The kinds of component a workspace file can hold, keyed by root element name.
enum ComponentKind: String, CaseIterable, Sendable {
    case process
    case connection
    case operation
    case profile
    case map
    case trackedFields

    /// The XSD resource (without extension) that validates this kind.
    var schemaName: String { rawValue }

    /// The list of root element names, for error messages.
    static var rootNames: String { allCases.map { "<\($0.rawValue)>" }.joined(separator: ", ") }
}
