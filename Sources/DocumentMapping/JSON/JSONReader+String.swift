import ConveyorBase

extension JSONReader {
    private static var quote: UInt8 { JSONBytes.quote }
    private static var backslash: UInt8 { JSONBytes.backslash }
    private static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// Parses a string starting at its opening quote.
    ///
    /// Strings without escapes are decoded straight from the input bytes; a
    /// lone UTF-16 surrogate in a `\u` escape becomes U+FFFD.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            index = JSONBytes.skipPlainASCII(bytes, from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == Self.quote {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard let string = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start - 1)
                }
                return string
            }
            if byte == Self.backslash { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw error("unescaped control character in string") }
            index += 1
        }
        throw error("unterminated string", at: start - 1)
    }

    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(index - start + 16)
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                index += 1
                guard let string = String(validating: buffer, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: start - 1)
                }
                return string
            }
            if byte == Self.backslash {
                try appendEscape(to: &buffer)
            } else if byte < 0x20 {
                throw error("unescaped control character in string")
            } else {
                buffer.append(byte)
                index += 1
            }
        }
        throw error("unterminated string", at: start - 1)
    }

    private mutating func appendEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < bytes.count else { throw error("unterminated string") }
        let code = bytes[index]
        index += 1
        switch code {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(code)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try parseUnicodeEscape()
            UTF8.encode(scalar) { buffer.append($0) }
        default:
            throw error("invalid escape sequence in string", at: escapeStart)
        }
    }

    /// Reads the four hex digits after `\u`, combining a surrogate pair when one follows.
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let unit = try readHex4()
        if (0xD800...0xDBFF).contains(unit) {
            if index + 1 < bytes.count, bytes[index] == Self.backslash, bytes[index + 1] == UInt8(ascii: "u") {
                let resume = index
                index += 2
                let low = try readHex4()
                if (0xDC00...0xDFFF).contains(low) {
                    let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    return Unicode.Scalar(value) ?? Self.replacement
                }
                index = resume
            }
            return Self.replacement
        }
        return Unicode.Scalar(unit) ?? Self.replacement
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid \\u escape: expected four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = JSONBytes.hexValue(bytes[index]) else {
                throw error("invalid \\u escape: expected four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
