/// A path addressing values of a document: `/order/id`, `/items/*/sku`, or `/` for the whole document.
///
/// Each segment names an object member; `*` stands for every element of an array;
/// a segment of digits also selects that element (zero-based) of an array (and, when
/// writing, creates an array where nothing exists yet).
/// Inside a segment `~1` stands for `/` and `~0` for `~`, as in JSON Pointer.
public struct DocumentPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Segment: Sendable, Hashable {
        /// An object member, or an array index when all digits.
        case key(String)
        /// Every element of an array.
        case wildcard
    }

    /// The steps from the document root.
    public let segments: [Segment]
    /// The text the path was parsed from.
    public let text: String

    /// Parses a path such as `/items/*/sku`.
    public init(_ text: String) throws(PathError) {
        guard text.first == "/" else { throw PathError(text: text, message: "a path starts with '/'") }
        self.text = text
        if text == "/" {
            segments = []
            return
        }
        var parsed: [Segment] = []
        for part in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { throw PathError(text: text, message: "a path has no empty segments") }
            if part == "*" {
                parsed.append(.wildcard)
            } else {
                parsed.append(.key(try DocumentPath.unescape(part, in: text)))
            }
        }
        segments = parsed
    }

    /// Builds a path from segments.
    public init(segments: [Segment]) {
        self.segments = segments
        self.text = segments.isEmpty ? "/" : segments.map { segment -> String in
            switch segment {
            case .wildcard: return "/*"
            case .key(let key): return "/" + key.replacingAll("~", with: "~0").replacingAll("/", with: "~1")
            }
        }.joined()
    }

    public var description: String { text }

    /// The number of `*` segments.
    public var wildcardCount: Int { segments.reduce(0) { $0 + ($1 == .wildcard ? 1 : 0) } }

    /// Every value the path selects in `document`, in document order; empty when nothing matches.
    public func values(in document: JSONValue) -> [JSONValue] {
        var results: [JSONValue] = []
        DocumentPath.collect(document, segments[...], into: &results)
        return results
    }

    /// The first value the path selects, if any.
    public func firstValue(in document: JSONValue) -> JSONValue? {
        values(in: document).first
    }

    private static func collect(_ value: JSONValue, _ rest: ArraySlice<Segment>, into results: inout [JSONValue]) {
        guard let segment = rest.first else {
            results.append(value)
            return
        }
        let tail = rest.dropFirst()
        switch segment {
        case .wildcard:
            guard case .array(let elements) = value else { return }
            for element in elements { collect(element, tail, into: &results) }
        case .key(let key):
            if let child = child(of: value, key) { collect(child, tail, into: &results) }
        }
    }

    /// The member `key` of an object, or element `key` of an array when `key` is all digits.
    static func child(of value: JSONValue, _ key: String) -> JSONValue? {
        switch value {
        case .object(let object): return object[key]
        case .array(let elements):
            guard let index = Int(key), index >= 0, index < elements.count else { return nil }
            return elements[index]
        default: return nil
        }
    }

    private static func unescape(_ part: Substring, in text: String) throws(PathError) -> String {
        guard part.contains("~") else { return String(part) }
        var result = ""
        var iterator = part.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default: throw PathError(text: text, message: "'~' must be followed by 0 or 1")
            }
        }
        return result
    }
}

extension String {
    /// The string with every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
