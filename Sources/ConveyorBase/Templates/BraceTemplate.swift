/// Reads a text with `{name}` placeholders, where `{{` and `}}` are literal braces: the one
/// parser behind `{property}` interpolation and `<message>` texts (`{1}`, `{2}` …).
///
/// It hands out the pieces in order, so a caller that rejects a placeholder name reports it
/// before any later brace error, exactly where it stands in the text.
public struct BraceTemplate: Sendable {
    /// One piece of the text.
    public enum Token: Sendable, Hashable {
        /// Text between placeholders, with `{{`/`}}` already turned into single braces
        /// (never empty; consecutive literal text comes as one token).
        case literal(String)
        /// The text between `{` and the next `}` (may be empty; never holds `}`).
        case placeholder(String)
    }

    /// Why the text cannot be read.
    public enum Failure: Error, Sendable, Hashable {
        /// A `{` with no `}` after it.
        case unclosedBrace
        /// A single `}` that no `{` opened.
        case unopenedBrace
    }

    private let text: String
    private var index: String.Index
    private var pending: String?

    public init(_ text: String) {
        self.text = text
        self.index = text.startIndex
    }

    /// The next piece, or nil at the end of the text.
    public mutating func next() throws(Failure) -> Token? {
        if let name = pending {
            pending = nil
            return .placeholder(name)
        }
        var literal = ""
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{" {
                if next < text.endIndex, text[next] == "{" {
                    literal.append("{")
                    index = text.index(after: next)
                    continue
                }
                guard let close = text[next...].firstIndex(of: "}") else { throw .unclosedBrace }
                let name = String(text[next..<close])
                index = text.index(after: close)
                if literal.isEmpty { return .placeholder(name) }
                pending = name
                return .literal(literal)
            } else if character == "}" {
                guard next < text.endIndex, text[next] == "}" else { throw .unopenedBrace }
                literal.append("}")
                index = text.index(after: next)
            } else {
                literal.append(character)
                index = next
            }
        }
        return literal.isEmpty ? nil : .literal(literal)
    }

    /// Every piece of `text`.
    public static func tokens(_ text: String) throws(Failure) -> [Token] {
        var template = BraceTemplate(text)
        var tokens: [Token] = []
        while let token = try template.next() { tokens.append(token) }
        return tokens
    }

    /// `text` with its braces doubled, so that it reads back as one literal.
    public static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            result.append(character)
            if character == "{" || character == "}" { result.append(character) }
        }
        return result
    }
}
