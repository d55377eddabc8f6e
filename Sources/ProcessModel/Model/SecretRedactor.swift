/// Keeps secret values out of what is recorded, printed and answered: each value substituted for
/// a `${secret:…}` reference is replaced by `***`.
///
/// A quoted value is always replaced; an unquoted one when it has four characters or more
/// (so a one-letter secret does not garble every message).
public struct SecretRedactor: Sendable {
    private let values: [String]

    /// A redactor for these secret values.
    public init(_ secrets: Set<String>) {
        values = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// Whether there is nothing to redact.
    public var isEmpty: Bool { values.isEmpty }

    /// The text with every secret value replaced.
    public func redact(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var result = text
        for value in values {
            result = result.replacing("'\(value)'", with: "'***'")
            if value.count >= 4 { result = result.replacing(value, with: "***") }
        }
        return result
    }

    /// The optional text with every secret value replaced.
    public func redact(_ text: String?) -> String? { text.map { redact($0) } }

    /// Bytes (a document's content) with every secret value's UTF-8 bytes replaced; bytes that
    /// hold no secret are returned as they are.
    public func redact(bytes: [UInt8]) -> [UInt8] {
        guard !values.isEmpty, !bytes.isEmpty else { return bytes }
        var result = bytes
        for value in values {
            result = Self.replacing(Array("'\(value)'".utf8), with: Array("'***'".utf8), in: result)
            if value.count >= 4 { result = Self.replacing(Array(value.utf8), with: Array("***".utf8), in: result) }
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
