/// An element of a parsed component file: a plain Swift tree, independent of libxml2.
struct ParsedElement: Sendable, Hashable {
    var name: String
    var attributes: [String: String]
    /// The concatenated text and CDATA directly inside this element, trimmed.
    var text: String
    var children: [ParsedElement]
    /// Where the element's start tag begins.
    var location: SourceLocation

    /// The value of an attribute, or nil when absent.
    func attribute(_ name: String) -> String? { attributes[name] }

    /// The first child with this name.
    func child(_ name: String) -> ParsedElement? { children.first { $0.name == name } }

    /// All children with this name, in document order.
    func children(named name: String) -> [ParsedElement] { children.filter { $0.name == name } }

    /// A boolean attribute (`true`/`1`, `false`/`0`), or `defaultValue` when absent or not a boolean.
    func bool(_ name: String, default defaultValue: Bool) -> Bool {
        switch attributes[name] {
        case "true", "1": return true
        case "false", "0": return false
        default: return defaultValue
        }
    }
}
