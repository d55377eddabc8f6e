/// Turns libxml2 schema-validation messages into short messages in the integrator's words.
struct SchemaMessage {
    /// Shapes named by the format that this version does not run yet.
    static let unsupportedShapes: Set<String> = [
        "message", "decision", "branch", "route", "split", "combine", "tryCatch", "exception",
        "notify", "processCall", "flowControl", "returnDocuments", "listener",
    ]

    let element: String
    let attribute: String?
    let body: String

    /// Splits `Element 'x', attribute 'y': body` into its parts.
    init(_ raw: String) {
        var rest = Substring(raw)
        var element = ""
        var attribute: String?
        if rest.hasPrefix("Element '"), let close = rest.dropFirst(9).firstIndex(of: "'") {
            element = String(rest[rest.index(rest.startIndex, offsetBy: 9)..<close])
            rest = rest[rest.index(after: close)...]
            if rest.hasPrefix(", attribute '"), let end = rest.dropFirst(13).firstIndex(of: "'") {
                attribute = String(rest[rest.index(rest.startIndex, offsetBy: 13)..<end])
                rest = rest[rest.index(after: end)...]
            }
            if rest.hasPrefix(": ") { rest = rest.dropFirst(2) }
        }
        self.element = element
        self.attribute = attribute
        self.body = String(rest)
    }

    /// Whether this is the generic second half of a facet violation already reported.
    var isAtomicTypeEcho: Bool { body.contains("is not a valid value of the local atomic type") }

    /// Whether this message reports a facet (enumeration, pattern, …) violation.
    var isFacet: Bool { body.hasPrefix("[facet '") }

    /// The message to show users.
    func rewritten(declaredElements: Set<String>) -> String {
        let subject = attribute.map { "attribute '\($0)' of <\(element)>" } ?? "<\(element)>"
        if body.hasPrefix("This element is not expected.") {
            let expected = expectedList.map { "; expected one of: \($0)" } ?? ""
            if !declaredElements.contains(element), SchemaMessage.unsupportedShapes.contains(element) {
                return "shape <\(element)> is not supported in this version"
                    + " (supported shapes: start, connector, map, setProperties, stop)"
            }
            if !declaredElements.contains(element) {
                return "unknown element <\(element)>" + expected
            }
            return "element <\(element)> is not allowed here" + expected
        }
        if body.hasPrefix("Missing child element(s).") {
            return "<\(element)> is missing a child element" + (expectedList.map { "; expected one of: \($0)" } ?? "")
        }
        if let name = quoted(after: "The attribute '"), body.hasSuffix("is required but missing.") {
            return "<\(element)> is missing the required attribute '\(name)'"
        }
        if let name = quoted(after: "The attribute '"), body.hasSuffix("is not allowed.") {
            return "unknown attribute '\(name)' on <\(element)>"
        }
        var text = body
        if isFacet, let end = text.firstIndex(of: "]") {
            text = String(text[text.index(after: end)...]).trimmingWhitespace()
        }
        if text.hasSuffix(".") { text.removeLast() }
        return element.isEmpty ? text : "\(subject): \(text)"
    }

    /// The names in `Expected is one of ( a, b ).` or `Expected is ( a ).`, comma-separated.
    private var expectedList: String? {
        guard let range = body.firstRange(of: "Expected is") else { return nil }
        let tail = body[range.upperBound...]
        guard let open = tail.firstIndex(of: "("), let close = tail.lastIndex(of: ")"), open < close else { return nil }
        let names = tail[tail.index(after: open)..<close]
            .split(separator: ",")
            .map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty }
        return names.isEmpty ? nil : names.joined(separator: ", ")
    }

    private func quoted(after prefix: String) -> String? {
        guard body.hasPrefix(prefix) else { return nil }
        let tail = body.dropFirst(prefix.count)
        guard let end = tail.firstIndex(of: "'") else { return nil }
        return String(tail[..<end])
    }
}
