import ConveyorBase

/// A value the scanner recorded for a capture slot: where it lies in the document and which `*` it took.
///
/// The captures of one slot form a list in document order (``next``), so the writer reads each
/// slot's values without sorting the captures.
struct FastCapture: Sendable {
    enum Kind: UInt8, Sendable { case string, number, `true`, `false`, null, object, array }

    var start: Int32
    var end: Int32
    /// The next capture of the same slot, or -1.
    var next: Int32
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
    /// Per slot: its first capture (-1 for none, set by the caller before the scan) and its last
    /// (read only once the slot has a first).
    let heads: UnsafeMutableBufferPointer<Int32>
    let tails: UnsafeMutableBufferPointer<Int32>
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
         captures: UnsafeMutableBufferPointer<FastCapture>, heads: UnsafeMutableBufferPointer<Int32>,
         tails: UnsafeMutableBufferPointer<Int32>) {
        self.bytes = bytes
        self.nodes = nodes
        self.members = members
        self.keys = keys
        self.captures = captures
        self.heads = heads
        self.tails = tails
    }

    private static var quote: UInt8 { JSONBytes.quote }

    /// Scans the whole document with node 0 at the root.
    ///
    /// The root must be an object, as the profile validator of the tree path requires; any other
    /// root (even `null`, which passes every type check below) is left to the tree path to report.
    /// A document of 2 GiB or more is left to it too: positions are kept in 32 bits.
    mutating func scanDocument() -> Bool {
        guard bytes.count < Int(Int32.max) else { return false }
        index = JSONBytes.byteOrderMarkLength(bytes)
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), value(0) else { return false }
        skipWhitespace()
        return index == bytes.count
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        index = JSONBytes.skipWhitespace(bytes, from: index)
    }

    /// Skips whitespace when the next byte may be some (is at most a space): compact JSON passes
    /// with one comparison.
    @inline(__always)
    private mutating func skipWhitespaceIfAny() {
        if index < bytes.count, bytes[index] <= 0x20 { skipWhitespace() }
    }

    /// After a member or element: past a comma and the whitespace after it (true: another
    /// follows), or past `closer` (false); nil for anything else.
    @inline(__always)
    private mutating func separator(closing closer: UInt8) -> Bool? {
        let next = nextSignificant()
        if next == UInt8(ascii: ",") {
            index &+= 1
            skipWhitespaceIfAny()
            return true
        }
        guard next == closer else { return nil }
        index &+= 1
        return false
    }

    /// The next byte that is not whitespace (`index` moved onto it), or 0 at the end.
    @inline(__always)
    private mutating func nextSignificant() -> UInt8 {
        if index < bytes.count {
            let byte = bytes[index]
            if byte > 0x20 { return byte }
            skipWhitespace()
            if index < bytes.count { return bytes[index] }
        }
        return 0
    }

    /// Scans one value from `index`, checks it against `node` (negative: a value the plan does
    /// not read) and records it when the plan reads it.
    ///
    /// Inlined into the loops of objects and arrays: strings and numbers, most values, are
    /// scanned there without a call; objects, arrays and literals go to ``compoundValue(_:)``.
    @inline(__always)
    private mutating func value(_ node: Int) -> Bool {
        guard index < bytes.count else { return false }
        let start = index
        let first = bytes[index]
        if first == Self.quote {
            guard plainString() || string() else { return false }
            return accept(node, .string, start)
        }
        if first &- UInt8(ascii: "0") < 10 || first == UInt8(ascii: "-") {
            guard let end = numberEnd() else { return false }
            index = end
            return accept(node, .number, start)
        }
        return compoundValue(node)
    }

    /// The end of the number at `index`, for the common plain integer or decimal fraction
    /// (`12`, `174.79`) without a call; anything else (an exponent, a leading zero or minus, a
    /// point without digits after it) by ``JSONBytes/numberEnd(_:from:)``.
    @inline(__always)
    private func numberEnd() -> Int? {
        var end = index
        while end < bytes.count, bytes[end] &- UInt8(ascii: "0") < 10 { end &+= 1 }
        if end > index, bytes[index] != UInt8(ascii: "0") || end == index &+ 1 {
            if end < bytes.count, bytes[end] == UInt8(ascii: ".") {
                let fraction = end &+ 1
                end = fraction
                while end < bytes.count, bytes[end] &- UInt8(ascii: "0") < 10 { end &+= 1 }
                if end == fraction { return JSONBytes.numberEnd(bytes, from: index) }
            }
            if end == bytes.count || bytes[end] | 0x20 != UInt8(ascii: "e") { return end }
        }
        return JSONBytes.numberEnd(bytes, from: index)
    }

    /// An object, an array or a literal (`true`, `false`, `null`) from `index`.
    @inline(never)
    private mutating func compoundValue(_ node: Int) -> Bool {
        let start = index
        let kind: FastCapture.Kind
        switch bytes[index] {
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
            index &+= 1
            kind = .false
        case UInt8(ascii: "n"):
            guard literal(0x6E_75_6C_6C, count: 4) else { return false }
            kind = .null
        default:
            return false
        }
        return accept(node, kind, start)
    }

    /// Checks a value of `kind` that began at `start` against `node`, and records it when the plan reads it.
    @inline(__always)
    private mutating func accept(_ node: Int, _ kind: FastCapture.Kind, _ start: Int) -> Bool {
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
            // Positions fit in 32 bits: `scanDocument` refuses longer documents.
            let position = Int32(truncatingIfNeeded: captureCount)
            let slot = Int(info.slot)
            if heads[slot] < 0 { heads[slot] = position } else { captures[Int(tails[slot])].next = position }
            tails[slot] = position
            captures[captureCount] = FastCapture(start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: index),
                                                 next: -1, kind: kind, escaped: isString && lastEscaped,
                                                 nonASCII: isString && lastNonASCII, indices: indices)
            captureCount &+= 1
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
        depth &+= 1
        guard depth <= JSONParser.maximumDepth else { return false }
        index &+= 1
        skipWhitespace()
        var seen: UInt64 = 0
        var nulls: UInt64 = 0
        /// Keys usually come in the profile's order: the next key is looked for first after the last.
        var hint = 0
        let memberStart = node >= 0 ? Int(nodes[node].memberStart) : 0
        let memberCount = node >= 0 ? Int(nodes[node].memberCount) : 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index &+= 1
        } else {
            while true {
                guard index < bytes.count, bytes[index] == Self.quote else { return false }
                var child = -1
                var bit: UInt64 = 0
                // A node has fewer than 64 members (`FastSourceBuilder`): positions and bits wrap freely.
                if memberCount > 0, let found = quickMember(from: memberStart, count: memberCount, hint: hint) {
                    hint = found &+ 1 == memberCount ? 0 : found &+ 1
                    bit = 1 &<< UInt64(truncatingIfNeeded: found)
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
                        bit = 1 &<< UInt64(truncatingIfNeeded: found)
                        if seen & bit != 0 { return false }
                        seen |= bit
                        child = Int(members[memberStart + found].node)
                    }
                } else {
                    guard string() else { return false }
                }
                guard nextSignificant() == UInt8(ascii: ":") else { return false }
                index &+= 1
                skipWhitespaceIfAny()
                let valueStart = index
                guard value(child) else { return false }
                if child >= 0, bytes[valueStart] == UInt8(ascii: "n") { nulls |= bit }
                guard let more = separator(closing: UInt8(ascii: "}")) else { return false }
                if !more { break }
            }
        }
        depth &-= 1
        if node >= 0 {
            let required = nodes[node].requiredMask
            if required & seen & ~nulls != required { return false }
        }
        return true
    }

    /// With `index` at a key's opening quote: the member whose key (plain ASCII, see
    /// ``FastMember/quick``) the key is exactly, moving `index` past the closing quote; nil leaves
    /// `index` where it was. The members are tried from `hint` on, then from the first (keys are
    /// distinct, so at most one matches).
    @inline(__always)
    private mutating func quickMember(from first: Int, count: Int, hint: Int) -> Int? {
        // Positions within the document and the tables: no arithmetic here can overflow.
        let keyStart = index &+ 1
        guard keyStart &+ 8 <= bytes.count, let base = bytes.baseAddress else { return nil }
        let word = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: keyStart, as: UInt64.self))
        var position = hint
        for _ in 0..<count {
            let entry = members[first &+ position]
            if entry.quick != 0, word & entry.mask == entry.pattern {
                let length = Int(entry.keyCount)
                var matches = true
                if entry.quick == 2 {
                    if keyStart &+ length < bytes.count {
                        let keyBase = Int(entry.keyStart)
                        var offset = 8
                        while offset < length, keys[keyBase &+ offset] == bytes[keyStart &+ offset] { offset &+= 1 }
                        matches = offset == length && bytes[keyStart &+ length] == Self.quote
                    } else {
                        matches = false
                    }
                }
                if matches {
                    index = keyStart &+ length &+ 1
                    return position
                }
            }
            position = position &+ 1 == count ? 0 : position &+ 1
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
        depth &+= 1
        guard depth <= JSONParser.maximumDepth else { return false }
        index &+= 1
        skipWhitespace()
        let element = node >= 0 ? Int(nodes[node].element) : -1
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index &+= 1
            depth &-= 1
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
            position &+= 1
            guard let more = separator(closing: UInt8(ascii: "]")) else { return false }
            if !more { break }
        }
        if tracked {
            indices[level - 1] = 0
            level -= 1
        }
        depth -= 1
        return true
    }

    /// Scans a string from its opening quote when it is printable ASCII without escapes, the most
    /// common value, without a call; false (`index` unchanged) for any other, which ``string()`` reads.
    @inline(__always)
    private mutating func plainString() -> Bool {
        guard let end = JSONBytes.plainASCIIStringEnd(bytes, from: index &+ 1) else { return false }
        index = end &+ 1
        lastEscaped = false
        lastNonASCII = false
        return true
    }

    /// Scans a string from its opening quote, checking escapes and UTF-8 as ``JSONParser`` does.
    private mutating func string() -> Bool {
        guard let scan = JSONBytes.stringEnd(bytes, from: index + 1) else { return false }
        index = scan.end
        lastEscaped = scan.escaped
        lastNonASCII = scan.nonASCII
        return true
    }
}
