import Foundation

/// What kind of content captured bytes hold, and a readable form of JSON, for the CLI and the REST API.
public enum ContentSniffer {
    /// The media type of `content`: JSON, XML, CSV, plain text (UTF-8) or bytes. A content that was
    /// cut counts as JSON when it starts like JSON; a whole one only when it parses.
    public static func mediaType(of content: [UInt8], cut: Bool = false) -> String {
        guard let first = content.first(where: { !isSpace($0) && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }) else {
            return content.isEmpty ? "text/plain; charset=utf-8" : validUTF8(content) ? "text/plain; charset=utf-8"
                : "application/octet-stream"
        }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), cut || isJSON(content) {
            return "application/json"
        }
        guard validUTF8(content) || cut else { return "application/octet-stream" }
        if first == UInt8(ascii: "<") { return "application/xml" }
        if looksLikeCSV(content) { return "text/csv; charset=utf-8" }
        return "text/plain; charset=utf-8"
    }

    /// Whether the whole content is one JSON value.
    public static func isJSON(_ content: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(content), options: [.fragmentsAllowed])) != nil
    }

    /// JSON laid out on lines indented by two spaces, keys, numbers and strings kept exactly as
    /// written. Meant for content that ``isJSON(_:)``; other bytes come out re-spaced but whole.
    public static func prettyJSON(_ content: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(content.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        func newline() {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        var position = 0
        while position < content.count {
            let byte = content[position]
            position += 1
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                out.append(byte)
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                var next = position
                while next < content.count, isSpace(content[next]) { next += 1 }
                if next < content.count, content[next] == close {
                    out.append(close)
                    position = next + 1
                } else {
                    depth += 1
                    newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth = max(0, depth - 1)
                newline()
                out.append(byte)
            case UInt8(ascii: ","):
                out.append(byte)
                newline()
            case UInt8(ascii: ":"):
                out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            default:
                if !isSpace(byte) { out.append(byte) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func validUTF8(_ content: [UInt8]) -> Bool {
        String(validating: content, as: UTF8.self) != nil
    }

    /// Two lines or more whose first line has a comma, and every line as many fields as the first
    /// (quoted commas aside, roughly: lines with quotes are not counted).
    private static func looksLikeCSV(_ content: [UInt8]) -> Bool {
        let lines = content.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).prefix(20)
        guard lines.count >= 2, let first = lines.first else { return false }
        let commas = first.count(where: { $0 == UInt8(ascii: ",") })
        guard commas > 0 else { return false }
        return lines.dropLast().allSatisfy { line in
            line.contains(UInt8(ascii: "\"")) || line.count(where: { $0 == UInt8(ascii: ",") }) == commas
        }
    }
}
