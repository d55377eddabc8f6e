/// Keeps secret values out of what is recorded, printed and answered: each value substituted for
/// a `${secret:…}` reference is replaced by `***`.
///
/// A quoted value is always replaced; an unquoted one when it has four characters or more
/// (so a one-letter secret does not garble every message). Each value is also replaced in the
/// escaped forms the code writes values in: JSON string escaping (`\"`, `\\`, `\n`, `\u000a`,
/// `\/`) and Swift escaping (`\"`, `\\`, `\n`, `\u{a}`), so a secret holding a quote, a backslash,
/// a tab or a line break is not shown escaped.
public struct SecretRedactor: Sendable {
    /// Each form to replace, and whether it is long enough to replace unquoted.
    private let values: [(text: String, unquoted: Bool)]

    /// A redactor for these secret values.
    public init(_ secrets: Set<String>) {
        var forms: [String: Bool] = [:]
        for secret in secrets where !secret.isEmpty {
            for form in Self.forms(of: secret) { forms[form] = (forms[form] ?? false) || secret.count >= 4 }
        }
        values = forms.map { (text: $0.key, unquoted: $0.value) }
            .sorted { ($0.text.count, $0.text) > ($1.text.count, $1.text) }
    }

    /// The value as written raw, JSON-escaped and Swift-escaped.
    static func forms(of value: String) -> Set<String> {
        var forms: Set<String> = [value]
        let needsEscaping = value.unicodeScalars.contains { $0 == "\"" || $0 == "\\" || $0 == "/" || $0.value < 0x20 || $0.value == 0x7F }
        guard needsEscaping else { return forms }
        func escaped(_ escape: (Unicode.Scalar) -> String?) -> String {
            var out = ""
            for scalar in value.unicodeScalars {
                if let text = escape(scalar) { out += text } else { out.unicodeScalars.append(scalar) }
            }
            return out
        }
        func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || scalar.value == 0x7F }
        func hex(_ scalar: Unicode.Scalar, width: Int) -> String {
            let digits = String(scalar.value, radix: 16)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        func named(_ scalar: Unicode.Scalar) -> String? {
            switch scalar {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            default: nil
            }
        }
        func quoteAndBackslash(_ scalar: Unicode.Scalar) -> String? {
            scalar == "\"" ? "\\\"" : scalar == "\\" ? "\\\\" : nil
        }
        // JSON, with and without `\/`, controls as \n or as \u000a (lower or upper case hex).
        for slash in [false, true] {
            for (upper, short) in [(false, true), (false, false), (true, false)] {
                forms.insert(escaped { scalar in
                    if let text = quoteAndBackslash(scalar) ?? (short ? named(scalar) : nil) { return text }
                    if slash && scalar == "/" { return "\\/" }
                    guard scalar.value < 0x20 else { return nil }
                    let digits = hex(scalar, width: 4)
                    return "\\u" + (upper ? digits.uppercased() : digits)
                })
            }
        }
        // Swift: debugDescription (`\"`, `\\`, `\n`, `\0`, `\u{7f}`), escaped(asASCII:) on controls
        // only, and controls only as `\u{a}`.
        forms.insert(String(value.debugDescription.dropFirst().dropLast()))
        forms.insert(escaped { isControl($0) ? $0.escaped(asASCII: true) : nil })
        forms.insert(escaped { isControl($0) ? "\\u{\(String($0.value, radix: 16))}" : nil })
        forms.insert(escaped { isControl($0) ? "\\u{\(String($0.value, radix: 16))}" : quoteAndBackslash($0) })
        return forms
    }

    /// Whether there is nothing to redact.
    public var isEmpty: Bool { values.isEmpty }

    /// The text with every secret value replaced.
    public func redact(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var result = text
        for value in values {
            result = result.replacing("'\(value.text)'", with: "'***'")
            if value.unquoted { result = result.replacing(value.text, with: "***") }
        }
        return result
    }

    /// The diagnostics with every secret value replaced in their messages.
    public func redact(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        guard !values.isEmpty else { return diagnostics }
        return diagnostics.map { diagnostic in
            var copy = diagnostic
            copy.message = redact(diagnostic.message)
            return copy
        }
    }

    /// The optional text with every secret value replaced.
    public func redact(_ text: String?) -> String? { text.map { redact($0) } }

    /// Bytes (a document's content) with every secret value's UTF-8 bytes replaced; bytes that
    /// hold no secret are returned as they are.
    public func redact(bytes: [UInt8]) -> [UInt8] {
        guard !values.isEmpty, !bytes.isEmpty else { return bytes }
        var result = bytes
        for value in values {
            result = Self.replacing(Array("'\(value.text)'".utf8), with: Array("'***'".utf8), in: result)
            if value.unquoted { result = Self.replacing(Array(value.text.utf8), with: Array("***".utf8), in: result) }
        }
        return result
    }

    private static func replacing(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard let first = needle.first, needle.count <= bytes.count else { return bytes }
        var output: [UInt8] = []
        var copied = 0
        var position = 0
        let last = bytes.count - needle.count
        while position <= last {
            if bytes[position] == first, bytes[position..<position + needle.count].elementsEqual(needle) {
                if output.isEmpty { output.reserveCapacity(bytes.count) }
                output += bytes[copied..<position]
                output += replacement
                position += needle.count
                copied = position
            } else {
                position += 1
            }
        }
        guard copied > 0 else { return bytes }
        output += bytes[copied...]
        return output
    }
}
