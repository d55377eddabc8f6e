/// A value the scanner recorded for a capture slot: where it lies in the document and which `*` it took.
struct FastCapture: Sendable {
    enum Kind: UInt8, Sendable { case string, number, `true`, `false`, null, object, array }

    var slot: Int32
    var start: Int32
    var end: Int32
    var kind: Kind
    /// The string holds a backslash escape.
    var escaped: Bool
    /// The string holds bytes outside ASCII.
    var nonASCII: Bool
    var indices: SIMD4<Int32>
}

/// A one-pass validating scanner over JSON bytes that records the values a ``FastMapPlan`` reads
/// and checks the source profile on the way. It never builds values and never allocates
/// (captures go into a reused buffer).
///
/// It accepts exactly what ``JSONParser`` accepts. `false` means "not handled here": the
/// document is malformed, breaks the profile, or has something the byte-level path leaves to the
/// tree path (an escaped or non-ASCII key, or a repeated key, among the members it reads).
struct FastScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let nodes: UnsafeBufferPointer<FastSourceNode>
    let members: UnsafeBufferPointer<FastMember>
    let keys: UnsafeBufferPointer<UInt8>
    /// Where captures go; a capture that does not fit sets ``capturesOverflowed`` and ends the scan.
    let captures: UnsafeMutableBufferPointer<FastCapture>
    private(set) var captureCount = 0
    /// The document has more captures than `captures` holds: scan it again with a larger buffer.
    private(set) var capturesOverflowed = false
    var index = 0
    private var depth = 0
    private var level = 0
    private var indices = SIMD4<Int32>(repeating: 0)
    private var lastEscaped = false
    private var lastNonASCII = false

    init(bytes: UnsafeBufferPointer<UInt8>, nodes: UnsafeBufferPointer<FastSourceNode>,
         members: UnsafeBufferPointer<FastMember>, keys: UnsafeBufferPointer<UInt8>,
         captures: UnsafeMutableBufferPointer<FastCapture>) {
        self.bytes = bytes
        self.nodes = nodes
        self.members = members
        self.keys = keys
        self.captures = captures
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// Scans the whole document with node 0 at the root.
    ///
    /// The root must be an object, as the profile validator of the tree path requires; any other
    /// root (even `null`, which passes every type check below) is left to the tree path to report.
    mutating func scanDocument() -> Bool {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), value(0) else { return false }
        skipWhitespace()
        return index == bytes.count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func value(_ node: Int) -> Bool {
        guard index < bytes.count else { return false }
        let start = index
        let kind: FastCapture.Kind
        switch bytes[index] {
        case Self.quote:
            guard string() else { return false }
            kind = .string
        case UInt8(ascii: "{"):
            guard object(node) else { return false }
            kind = .object
        case UInt8(ascii: "["):
            guard array(node) else { return false }
            kind = .array
        case UInt8(ascii: "t"):
            guard literal(0x74_72_75_65, count: 4) else { return false }
            kind = .true
        case UInt8(ascii: "f"):
            guard index + 5 <= bytes.count, bytes[index + 4] == UInt8(ascii: "e"),
                  literal(0x66_61_6C_73, count: 4) else { return false }
            index += 1
            kind = .false
        case UInt8(ascii: "n"):
            guard literal(0x6E_75_6C_6C, count: 4) else { return false }
            kind = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let end = NumberText.scan(bytes, from: index) else { return false }
            index = end
            kind = .number
        default:
            return false
        }
        guard node >= 0 else { return true }
        let info = nodes[node]
        if kind != .null {
            switch info.check {
            case .any: break
            case .string: guard kind == .string else { return false }
            case .number: guard kind == .number else { return false }
            case .int64: guard kind == .number, isSmallInteger(start, index) else { return false }
            case .bool: guard kind == .true || kind == .false else { return false }
            case .object: guard kind == .object else { return false }
            case .array: guard kind == .array else { return false }
            }
        }
        if info.slot >= 0 {
            guard captureCount < captures.count else {
                capturesOverflowed = true
                return false
            }
            let isString = kind == .string
            captures[captureCount] = FastCapture(slot: info.slot, start: Int32(start), end: Int32(index), kind: kind,
                                                 escaped: isString && lastEscaped, nonASCII: isString && lastNonASCII,
                                                 indices: indices)
            captureCount += 1
        }
        return true
    }

    /// An integer literal that certainly fits in Int64 (longer ones are left to the tree path).
    private func isSmallInteger(_ start: Int, _ end: Int) -> Bool {
        var digits = end - start
        if bytes[start] == UInt8(ascii: "-") { digits -= 1 }
        guard digits <= 18 else { return false }
        for position in start..<end where bytes[position] == UInt8(ascii: ".") || bytes[position] | 0x20 == UInt8(ascii: "e") {
            return false
        }
        return true
    }

    private mutating func literal(_ word: UInt32, count: Int) -> Bool {
        guard index + count <= bytes.count else { return false }
        let found = UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8
            | UInt32(bytes[index + 3])
        guard found == word else { return false }
        index += count
        return true
    }

    private mutating func object(_ node: Int) -> Bool {
        depth += 1
        guard depth <= JSONParser.maximumDepth else { return false }
        index += 1
        skipWhitespace()
        var seen: UInt64 = 0
        var nulls: UInt64 = 0
        let memberStart = node >= 0 ? Int(nodes[node].memberStart) : 0
        let memberCount = node >= 0 ? Int(nodes[node].memberCount) : 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                guard index < bytes.count, bytes[index] == Self.quote else { return false }
                var child = -1
                var bit: UInt64 = 0
                if memberCount > 0, let found = quickMember(from: memberStart, count: memberCount) {
                    bit = 1 << UInt64(found)
                    if seen & bit != 0 { return false }
                    seen |= bit
                    child = Int(members[memberStart + found].node)
                } else if memberCount > 0 {
                    let keyStart = index + 1
                    guard string() else { return false }
                    let keyEnd = index - 1
                    // Keys match by canonical equivalence in the tree path ("K" and KELVIN SIGN are one key),
                    // so a key with escapes or non-ASCII text next to members we read is left to it.
                    if lastEscaped || lastNonASCII { return false }
                    if let found = member(keyStart, keyEnd, from: memberStart, count: memberCount) {
                        bit = 1 << UInt64(found)
                        if seen & bit != 0 { return false }
                        seen |= bit
                        child = Int(members[memberStart + found].node)
                    }
                } else {
                    guard string() else { return false }
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
                let valueStart = index
                guard value(child) else { return false }
                if child >= 0, bytes[valueStart] == UInt8(ascii: "n") { nulls |= bit }
                skipWhitespace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    break
                } else {
                    return false
                }
            }
        }
        depth -= 1
        if node >= 0 {
            let required = nodes[node].requiredMask
            if required & seen & ~nulls != required { return false }
        }
        return true
    }

    /// With `index` at a key's opening quote: the member whose key (plain ASCII, see
    /// ``FastMember/quick``) the key is exactly, moving `index` past the closing quote; nil leaves
    /// `index` where it was.
    @inline(__always)
    private mutating func quickMember(from first: Int, count: Int) -> Int? {
        let keyStart = index + 1
        guard keyStart + 8 <= bytes.count, let base = bytes.baseAddress else { return nil }
        let word = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: keyStart, as: UInt64.self))
        for position in 0..<count {
            let entry = members[first + position]
            guard entry.quick != 0, word & entry.mask == entry.pattern else { continue }
            let length = Int(entry.keyCount)
            if entry.quick == 2 {
                guard keyStart + length < bytes.count else { continue }
                let keyBase = Int(entry.keyStart)
                var offset = 8
                while offset < length, keys[keyBase + offset] == bytes[keyStart + offset] { offset += 1 }
                guard offset == length, bytes[keyStart + length] == Self.quote else { continue }
            }
            index = keyStart + length + 1
            return position
        }
        return nil
    }

    private func member(_ start: Int, _ end: Int, from first: Int, count: Int) -> Int? {
        let length = end - start
        for position in 0..<count {
            let entry = members[first + position]
            guard Int(entry.keyCount) == length else { continue }
            let keyStart = Int(entry.keyStart)
            var offset = 0
            while offset < length, keys[keyStart + offset] == bytes[start + offset] { offset += 1 }
            if offset == length { return position }
        }
        return nil
    }

    private mutating func array(_ node: Int) -> Bool {
        depth += 1
        guard depth <= JSONParser.maximumDepth else { return false }
        index += 1
        skipWhitespace()
        let element = node >= 0 ? Int(nodes[node].element) : -1
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return true
        }
        let nullInvalid = element >= 0 && nodes[element].nullInvalid
        let tracked = element >= 0
        if tracked {
            guard level < FastMapPlan.maximumWildcards else { return false }
            level += 1
        }
        var position: Int32 = 0
        while true {
            if tracked { indices[level - 1] = position }
            let valueStart = index
            guard value(element) else { return false }
            if nullInvalid, bytes[valueStart] == UInt8(ascii: "n") { return false }
            position += 1
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                break
            } else {
                return false
            }
        }
        if tracked {
            indices[level - 1] = 0
            level -= 1
        }
        depth -= 1
        return true
    }

    /// Scans a string from its opening quote, checking escapes and UTF-8 as ``JSONParser`` does.
    private mutating func string() -> Bool {
        index += 1
        let start = index
        var high: UInt8 = 0
        lastEscaped = false
        while index < bytes.count {
            skipPlainASCII()
            guard index < bytes.count else { return false }
            let byte = bytes[index]
            if byte == Self.quote {
                lastNonASCII = high >= 0x80
                if lastNonASCII, !FastScanner.isValidUTF8(bytes, start, index) { return false }
                index += 1
                return true
            }
            if byte == Self.backslash {
                lastEscaped = true
                guard index + 1 < bytes.count else { return false }
                switch bytes[index + 1] {
                case Self.quote, Self.backslash, UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= bytes.count else { return false }
                    for offset in 2..<6 where !FastScanner.isHexDigit(bytes[index + offset]) { return false }
                    index += 6
                default:
                    return false
                }
                continue
            }
            if byte < 0x20 { return false }
            high |= byte
            index += 1
        }
        return false
    }

    /// Skips bytes 8 at a time up to the first quote, backslash, control byte or non-ASCII byte
    /// (or to the last 8 bytes of the document).
    @inline(__always)
    private mutating func skipPlainASCII() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawPointer(base)
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let quotes = word ^ (ones &* UInt64(Self.quote))
            let backslashes = word ^ (ones &* UInt64(Self.backslash))
            // A byte of `quotes` or `backslashes` is zero, or a byte of `word` is below 0x20 or from 0x80.
            let special = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                | (word &- ones &* 0x20) | word
            // The lowest flagged byte is exact (borrows only run upwards): stop right on it.
            let flags = special & highs
            guard flags == 0 else {
                index += flags.trailingZeroBitCount >> 3
                return
            }
            index += 8
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
             UInt8(ascii: "A")...UInt8(ascii: "F"): return true
        default: return false
        }
    }

    /// Whether `bytes[start..<end]` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var index = start
        func continuation(_ position: Int) -> Bool { position < end && bytes[position] & 0xC0 == 0x80 }
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
            } else if lead < 0xC2 {
                return false
            } else if lead < 0xE0 {
                guard continuation(index + 1) else { return false }
                index += 2
            } else if lead < 0xF0 {
                guard index + 1 < end else { return false }
                let second = bytes[index + 1]
                let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
                let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
                guard second >= low, second <= high, continuation(index + 2) else { return false }
                index += 3
            } else if lead < 0xF5 {
                guard index + 1 < end else { return false }
                let second = bytes[index + 1]
                let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
                let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
                guard second >= low, second <= high, continuation(index + 2), continuation(index + 3) else { return false }
                index += 4
            } else {
                return false
            }
        }
        return true
    }
}
