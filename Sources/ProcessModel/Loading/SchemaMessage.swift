/// Turns libxml2 schema-validation messages into short messages in the integrator's words.
struct SchemaMessage {
    /// Shapes named by the format that this version does not run yet.
    static let unsupportedShapes: Set<String> = []

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
                return "<\(element)> is not supported in this version"
            }
            if !declaredElements.contains(element) {
                let candidates = expectedNames.isEmpty ? Array(declaredElements) : expectedNames
                let suggestion = SchemaMessage.closest(to: element, in: candidates).map { "; did you mean <\($0)>?" }
                return "unknown element <\(element)>" + (suggestion ?? expected)
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

    /// The names in `Expected is one of ( a, b ).` or `Expected is ( a ).`.
    private var expectedNames: [String] {
        guard let range = body.firstRange(of: "Expected is") else { return [] }
        let tail = body[range.upperBound...]
        guard let open = tail.firstIndex(of: "("), let close = tail.lastIndex(of: ")"), open < close else { return [] }
        return tail[tail.index(after: open)..<close]
            .split(separator: ",")
            .map { String($0).trimmingWhitespace() }
            .filter { !$0.isEmpty }
    }

    /// The expected names, comma-separated, or nil when libxml2 named none.
    private var expectedList: String? {
        expectedNames.isEmpty ? nil : expectedNames.joined(separator: ", ")
    }

    /// The candidate that differs from `name` only by case or by at most two edits.
    static func closest(to name: String, in candidates: [String]) -> String? {
        if let sameLetters = candidates.first(where: { $0.lowercased() == name.lowercased() }) { return sameLetters }
        let scored = candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// Levenshtein distance between two short strings.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs), b = Array(rhs)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    private func quoted(after prefix: String) -> String? {
        guard body.hasPrefix(prefix) else { return nil }
        let tail = body.dropFirst(prefix.count)
        guard let end = tail.firstIndex(of: "'") else { return nil }
        return String(tail[..<end])
    }
}
