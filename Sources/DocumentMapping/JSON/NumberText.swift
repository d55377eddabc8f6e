import ConveyorBase

/// Checks and normalises number literals without Foundation.
enum NumberText {
    /// Whether `text` is exactly one JSON number literal.
    static func isJSONNumber(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { buffer in
            JSONBytes.numberEnd(buffer, from: 0) == buffer.count
        }
    }

    /// Turns user text such as `" +007.50 "` into a JSON number literal (`7.50`), or nil when it is not a number.
    static func normalized(_ text: String) -> String? {
        var body = Substring(text).trimmingASCIIWhitespace()
        var negative = false
        if body.first == "+" {
            body = body.dropFirst()
        } else if body.first == "-" {
            negative = true
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
        var digits = Substring(body.drop { $0 == "0" })
        if digits.isEmpty || digits.first == "." || digits.first == "e" || digits.first == "E" {
            digits = "0" + digits
        }
        var candidate = (negative ? "-" : "") + digits
        if candidate.hasSuffix(".") { candidate.removeLast() }
        return isJSONNumber(candidate) ? candidate : nil
    }

    /// Whether a JSON number literal has no fraction or exponent part.
    static func isIntegerLiteral(_ literal: String) -> Bool {
        !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// Whether an integer literal fits in a signed 64-bit integer.
    static func fitsInt64(_ literal: String) -> Bool {
        Int64(literal) != nil
    }
}

extension Substring {
    /// The substring without leading and trailing ASCII spaces, tabs and line breaks.
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        guard let last = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[start...last]
    }
}
