extension JSONBytes {
    /// Whether `bytes` hold exactly one JSON object (whitespace around it allowed, no byte order
    /// mark) that the tree parser would accept: strict strings, numbers and literals, nested at
    /// most `maximumDepth` deep. Allocates nothing, so a writer can send a document's own bytes
    /// after this check instead of parsing them into a tree.
    ///
    /// `false` does not mean invalid: the caller falls back to the parser, which also reads a byte
    /// order mark or XML, and says what is wrong.
    public static func isObject(_ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) -> Bool {
        let start = skipWhitespace(bytes, from: 0)
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{"),
              let end = valueEnd(bytes, from: start, depth: 1, maximumDepth: maximumDepth) else { return false }
        return skipWhitespace(bytes, from: end) == bytes.count
    }

    /// The index just after the valid JSON value at `start`, or nil; `depth` is the nesting of a
    /// container starting there.
    public static func valueEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, depth: Int, maximumDepth: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(bytes, from: start + 1)?.end
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return containerEnd(bytes, from: start, depth: depth, maximumDepth: maximumDepth)
        case UInt8(ascii: "t"):
            return hasLiteral("true", in: bytes, at: start) ? start + 4 : nil
        case UInt8(ascii: "f"):
            return hasLiteral("false", in: bytes, at: start) ? start + 5 : nil
        case UInt8(ascii: "n"):
            return hasLiteral("null", in: bytes, at: start) ? start + 4 : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return numberEnd(bytes, from: start)
        default:
            return nil
        }
    }

    /// The index just after the object or array at `start`, or nil when it is not valid.
    private static func containerEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, depth: Int,
                                     maximumDepth: Int) -> Int? {
        guard depth <= maximumDepth else { return nil }
        let isObject = bytes[start] == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var index = skipWhitespace(bytes, from: start + 1)
        guard index < bytes.count else { return nil }
        if bytes[index] == close { return index + 1 }
        while true {
            if isObject {
                guard index < bytes.count, bytes[index] == quote,
                      let key = stringEnd(bytes, from: index + 1)?.end else { return nil }
                index = skipWhitespace(bytes, from: key)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index = skipWhitespace(bytes, from: index + 1)
            }
            guard let end = valueEnd(bytes, from: index, depth: depth + 1, maximumDepth: maximumDepth) else { return nil }
            index = skipWhitespace(bytes, from: end)
            guard index < bytes.count else { return nil }
            if bytes[index] == close { return index + 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipWhitespace(bytes, from: index + 1)
        }
    }
}
