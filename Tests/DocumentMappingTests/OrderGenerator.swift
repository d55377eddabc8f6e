import Foundation

/// Writes random order documents as raw JSON bytes, including the awkward cases: escapes, unicode,
/// missing and null members, wrong types, big numbers, empty arrays, whitespace, repeated keys,
/// and (with `malformed`) broken documents.
struct OrderGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }

    mutating func chance(_ percent: Int) -> Bool { next(100) < percent }

    private mutating func space() -> String {
        chance(85) ? "" : [" ", "\n", "\t ", "\r\n  "][next(4)]
    }

    mutating func stringLiteral() -> String {
        let pieces = ["Ann", " Lee ", "bo", "Ch", "é", "日本", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\u00e9", "\\u0041",
                      "\\ud83d\\ude00", "\\ud800", "\\t", "x y", "  ", "ß", "\\u0001", "Ω", "a\\u0000b"]
        var text = "\""
        let count = chance(20) ? 0 : 1 + next(4)
        for _ in 0..<count {
            text += chance(70) ? ["Ann", "Lee", "Bo", "Grace", "Hiro", " ", "-"][next(7)] : pieces[next(pieces.count)]
        }
        return text + "\""
    }

    mutating func number() -> String {
        if chance(80) { return String(next(100_000)) }
        return ["-0", "0", "12.50", "1e3", "-7", "123456789012345678901234567890", "9223372036854775807",
                "0.000", "-12.0", "1.5E-3", "42"][next(11)]
    }

    /// A value of a random kind (for wrong types and unknown members).
    mutating func anything(depth: Int = 0) -> String {
        switch next(depth > 2 ? 5 : 7) {
        case 0: return stringLiteral()
        case 1: return number()
        case 2: return ["true", "false"][next(2)]
        case 3, 4: return "null"
        case 5:
            let items = (0..<next(3)).map { _ in anything(depth: depth + 1) }
            return "[" + space() + items.joined(separator: "," + space()) + "]"
        default:
            let members = (0..<next(3)).map { index in "\"k\(index)\"" + space() + ":" + space() + anything(depth: depth + 1) }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// Usually `normal`, sometimes null, another type, or nil (member left out).
    mutating func variant(_ normal: String) -> String? {
        switch next(100) {
        case 0..<80: return normal
        case 80..<86: return nil
        case 86..<92: return "null"
        default: return anything()
        }
    }

    mutating func object(_ members: [(String, String?)]) -> String {
        var parts: [String] = []
        for (key, value) in members {
            guard let value else { continue }
            let written = chance(3) ? key.replacingOccurrences(of: "i", with: "\\u0069") : key
            parts.append(space() + "\"" + written + "\"" + space() + ":" + space() + value + space())
            if chance(2) { parts.append("\"" + key + "\":" + anything()) }
        }
        if chance(10) { parts.insert("\"unknown\":" + anything(), at: next(parts.count + 1)) }
        if chance(3) { parts.shuffle(using: &self) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    mutating func item() -> String {
        if chance(5) { return ["null", "3", "\"x\"", "[]"][next(4)] }
        return object([("sku", variant(stringLiteral())), ("qty", variant(String(next(10))))])
    }

    mutating func order(id: Int) -> String {
        let items = (0..<(chance(15) ? 0 : 1 + next(3))).map { _ in item() }
        let extra = chance(20) ? "[[1,2],[],[\"a\",[3]],null]" : nil
        return object([
            ("id", chance(90) ? String(id) : variant(number())),
            ("customer", variant(object([("name", variant(stringLiteral())), ("country", variant(stringLiteral()))]))),
            ("items", variant("[" + items.joined(separator: "," + space()) + "]")),
            ("price", variant(number())),
            ("placedAt", variant(chance(50) ? "\"2024-05-01T10:00:00Z\"" : stringLiteral())),
            ("extra", extra),
        ])
    }

    /// Bytes of an order, sometimes broken (cut short, a stray byte, invalid UTF-8).
    mutating func document(id: Int, malformed: Bool) -> [UInt8] {
        var bytes = Array(order(id: id).utf8)
        guard malformed, chance(30) else { return bytes }
        switch next(4) {
        case 0: bytes.removeLast(1 + next(min(bytes.count, 10)))
        case 1: bytes.insert([UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "x"), 0x01][next(4)], at: next(bytes.count))
        case 2: bytes.insert([0xFF, 0xC3, 0xED][next(3)], at: next(bytes.count))
        default: bytes += Array(" x".utf8)
        }
        return bytes
    }
}

extension OrderGenerator: RandomNumberGenerator {
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state
    }
}
