/// Builds model values from a validated, substituted element tree, collecting diagnostics
/// for what the schema cannot express.
struct ComponentReader {
    /// Problems found while reading, in document order.
    private(set) var diagnostics: [Diagnostic] = []

    /// Records a problem at `element`.
    mutating func report(_ message: String, at element: ParsedElement) {
        diagnostics.append(Diagnostic(element.location, message))
    }

    /// The value made of the `<value>` children of `parent`, concatenated left to right.
    mutating func value(in parent: ParsedElement) -> ValueDefinition {
        let parts = parent.children(named: "value").compactMap { valueSource($0) }
        return ValueDefinition(parts: parts, location: parent.location)
    }

    /// One `<value source="…" …/>` element.
    mutating func valueSource(_ element: ParsedElement) -> ValueSource? {
        let source = element.attribute("source") ?? ""
        switch source {
        case "static":
            return .literal(element.attribute("value") ?? element.text)
        case "profile":
            return required("path", of: element, for: source).map { .profile(path: $0) }
        case "document":
            return required("property", of: element, for: source).map { .documentProperty($0) }
        case "process":
            return required("property", of: element, for: source).map { .processProperty($0) }
        case "execution":
            guard let field = required("field", of: element, for: source) else { return nil }
            guard let known = ExecutionField(rawValue: field) else {
                let names = ExecutionField.allCases.map(\.rawValue).joined(separator: ", ")
                report("unknown execution field '\(field)'; expected one of: \(names)", at: element)
                return nil
            }
            return .execution(known)
        case "date":
            return .currentDate(format: element.attribute("format") ?? "yyyy-MM-dd'T'HH:mm:ssXXX")
        case "env":
            return required("name", of: element, for: source).map { .environment($0) }
        default:
            report("unknown value source '\(source)'", at: element)
            return nil
        }
    }

    private mutating func required(_ attribute: String, of element: ParsedElement, for source: String) -> String? {
        if let value = element.attribute(attribute), !value.isEmpty { return value }
        report("<value source=\"\(source)\"> needs a '\(attribute)' attribute", at: element)
        return nil
    }

    /// The element as a settings tree (attributes and trimmed text kept, `excluding` children dropped).
    func settings(_ element: ParsedElement, excluding excluded: Set<String> = []) -> SettingsElement {
        SettingsElement(
            name: element.name,
            attributes: element.attributes,
            text: element.text,
            children: element.children.filter { !excluded.contains($0.name) }.map { settings($0) },
            location: element.location
        )
    }
}
