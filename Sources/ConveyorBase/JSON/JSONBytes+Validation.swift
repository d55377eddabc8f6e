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

extension JSONBytes {
    /// The index just after the array or object at `start`, found by matching its brackets outside
    /// strings, without checking anything else: for skipping a value that another reader checks
    /// in full. Nil when the bytes end first or a closing bracket does not match its opening one.
    /// Containers nested more than 64 deep are checked by ``valueEnd(_:from:depth:maximumDepth:)``.
    public static func containerEndUnchecked(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int,
                                             maximumDepth: Int) -> Int? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "[") || bytes[start] == UInt8(ascii: "{") else { return nil }
        // One bit a level, 1 for an object: the innermost container is the lowest bit.
        var kinds: UInt64 = 0
        var depth = 0
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case quote:
                index += 1
                while true {
                    index = skipPlainASCII(bytes, from: index)
                    guard index < bytes.count else { return nil }
                    if bytes[index] == quote { break }
                    index += bytes[index] == backslash ? 2 : 1
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                guard depth < 64 else { return valueEnd(bytes, from: start, depth: 1, maximumDepth: maximumDepth) }
                kinds = kinds << 1 | (byte == UInt8(ascii: "{") ? 1 : 0)
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                guard depth > 0, (kinds & 1 == 1) == (byte == UInt8(ascii: "}")) else { return nil }
                kinds >>= 1
                depth -= 1
                if depth == 0 { return index + 1 }
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
