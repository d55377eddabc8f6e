extension ValueKind {
    /// Whether a non-null scalar `value` is acceptable for this kind (containers are checked by the validator).
    func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.json, _): return true
        case (.character, .string), (.number, .number), (.boolean, .bool), (.datetime, .string): return true
        case (.object, .object), (.record, .object), (.array, .array): return true
        case (.string, .string), (.geography, .string): return true
        case (.bytes, .string(let text)): return TextShape.isBase64(text)
        case (.int64, .number(let literal)):
            return NumberText.isIntegerLiteral(literal) && NumberText.fitsInt64(literal)
        case (.int64, .string(let text)):
            return NumberText.isIntegerLiteral(text) && NumberText.isJSONNumber(text) && NumberText.fitsInt64(text)
        case (.float64, .number), (.numeric, .number), (.bigNumeric, .number): return true
        case (.float64, .string(let text)):
            return NumberText.isJSONNumber(text) || ["NaN", "Infinity", "-Infinity", "+Infinity"].contains(text)
        case (.numeric, .string(let text)), (.bigNumeric, .string(let text)): return NumberText.isJSONNumber(text)
        case (.bool, .bool): return true
        case (.bool, .string(let text)): return ["true", "false"].contains(text.lowercased())
        case (.timestamp, .number): return true
        case (.timestamp, .string(let text)): return TextShape.isTimestamp(text)
        case (.date, .string(let text)): return TextShape.isDate(text[...])
        case (.time, .string(let text)): return TextShape.isTime(text[...])
        case (.dateTime, .string(let text)): return TextShape.isDateTime(text)
        default: return false
        }
    }
}

/// Checks of BigQuery's text forms for dates, times and bytes.
enum TextShape {
    private static func digits(_ text: Substring, _ range: ClosedRange<Int>) -> Bool {
        range.contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `YYYY-[M]M-[D]D`
    static func isDate(_ text: Substring) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && digits(parts[0], 4...4) && digits(parts[1], 1...2) && digits(parts[2], 1...2)
    }

    /// `[H]H:[M]M[:[S]S[.F{1,6}]]`
    static func isTime(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, digits(parts[0], 1...2), digits(parts[1], 1...2) else { return false }
        guard parts.count == 3 else { return true }
        let seconds = parts[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard digits(seconds[0], 1...2) else { return false }
        return seconds.count == 1 || digits(seconds[1], 1...9)
    }

    /// A date, optionally followed by `T` or a space and a time.
    static func isDateTime(_ text: String) -> Bool {
        guard let separator = text.firstIndex(where: { $0 == "T" || $0 == "t" || $0 == " " }) else {
            return isDate(text[...])
        }
        return isDate(text[..<separator]) && isTime(text[text.index(after: separator)...])
    }

    /// A date-time with an optional zone (`Z`, `+05:30`, ` UTC`, ` America/New_York`).
    static func isTimestamp(_ text: String) -> Bool {
        guard let separator = text.firstIndex(where: { $0 == "T" || $0 == "t" || $0 == " " }) else {
            return isDate(text[...])
        }
        guard isDate(text[..<separator]) else { return false }
        var rest = text[text.index(after: separator)...]
        if let space = rest.firstIndex(of: " ") {
            let zone = rest[rest.index(after: space)...]
            guard !zone.isEmpty, zone.allSatisfy({ $0.isLetter || $0 == "/" || $0 == "_" || $0 == "+" || $0 == "-" || $0.isNumber || $0 == ":" })
            else { return false }
            rest = rest[..<space]
        }
        if rest.last == "Z" || rest.last == "z" {
            rest = rest.dropLast()
        } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let offset = rest[rest.index(after: sign)...].filter { $0 != ":" }
            guard digits(Substring(offset), 1...4) else { return false }
            rest = rest[..<sign]
        }
        return isTime(rest)
    }

    /// Standard or URL-safe base64, padded or not.
    static func isBase64(_ text: String) -> Bool {
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "="): padding += 1
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"):
                if padding > 0 { return false }
            default: return false
            }
        }
        return padding <= 2
    }
}
