import CByteScan

/// The byte-level pieces every JSON scanner of the package shares: the tree parser, the
/// byte-level map path, the Storage Write row encoder and the disk connector's array splitter.
///
/// Each takes the bytes and a position and returns a position, so the callers keep their own
/// loops; all are `@inlinable` and allocate nothing, so they cost what a private copy would.
public enum JSONBytes {
    /// `"` (computed, so that it folds into the caller's code as a constant).
    @inlinable @inline(__always) public static var quote: UInt8 { 0x22 }
    /// `\\`.
    @inlinable @inline(__always) public static var backslash: UInt8 { 0x5C }

    /// JSON whitespace: space, tab, line feed, carriage return.
    @inlinable @inline(__always)
    public static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The first index from `start` that is not whitespace (`bytes.count` when none).
    @inlinable @inline(__always)
    public static func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    /// 3 when `bytes` start with a UTF-8 byte order mark, else 0.
    @inlinable
    public static func byteOrderMarkLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// Whether the `count` bytes at `found` (of which `readable`, at least `count`, may be read) are
    /// those at `wanted`, a table padded so that a word may be read past any of its entries: eight
    /// bytes at a time, the last few in one masked word when eight bytes are readable there, else
    /// one by one.
    @inlinable @inline(__always)
    public static func matches(_ found: UnsafePointer<UInt8>, readable: Int, padded wanted: UnsafePointer<UInt8>,
                               count: Int) -> Bool {
        let left = UnsafeRawPointer(found)
        let right = UnsafeRawPointer(wanted)
        var offset = 0
        while count &- offset >= 8 {
            guard left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    == right.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset &+= 8
        }
        let rest = count &- offset
        guard rest > 0 else { return true }
        if readable &- offset >= 8 {
            let mask: UInt64 = (1 &<< UInt64(truncatingIfNeeded: rest &* 8)) &- 1
            let a = UInt64(littleEndian: left.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let b = UInt64(littleEndian: right.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            return (a ^ b) & mask == 0
        }
        while offset < count {
            guard found[offset] == wanted[offset] else { return false }
            offset &+= 1
        }
        return true
    }

    /// Whether `literal` (`true`, `false`, `null`) is written at `start`.
    @inlinable @inline(__always)
    public static func hasLiteral(_ literal: StaticString, in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard start + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where bytes[start + offset] != pointer[offset] { return false }
        return true
    }

    /// The end of the JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`) at `start`,
    /// or nil when the bytes there do not form one (a leading zero followed by a digit included).
    @inlinable
    public static func numberEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        let count = bytes.count
        @inline(__always) func isDigit(_ i: Int) -> Bool {
            i < count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
        }
        if index < count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { return nil }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        if index < count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { return nil }
            while isDigit(index) { index += 1 }
        }
        return index
    }

    /// The value of a hexadecimal digit, or nil.
    @inlinable @inline(__always)
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// The index of the first quote, backslash, control byte or non-ASCII byte from `start`, read
    /// sixteen bytes at a time (SSE2's byte compares on x86-64, two words at once elsewhere), then
    /// eight; it may stop earlier, within the last eight bytes of `bytes`, so the caller goes on
    /// byte by byte from there.
    @inlinable @inline(__always)
    public static func skipPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let raw = UnsafeRawPointer(base)
        #if arch(x86_64)
        // Sixteen bytes in four vector instructions; a block with a special byte answers exactly.
        var index = conveyor_skip_plain_ascii16(base, start, bytes.count)
        if index &+ 16 <= bytes.count { return index }
        #else
        var index = start
        // The eight-byte test below on two words at once, in one vector register.
        let ones2 = SIMD2<UInt64>(repeating: ones)
        let quotes2 = SIMD2<UInt64>(repeating: ones &* UInt64(quote))
        let backslashes2 = SIMD2<UInt64>(repeating: ones &* UInt64(backslash))
        let spaces2 = SIMD2<UInt64>(repeating: ones &* 0x20)
        let highs2 = SIMD2<UInt64>(repeating: highs)
        while index &+ 16 <= bytes.count {
            let loaded = raw.loadUnaligned(fromByteOffset: index, as: SIMD2<UInt64>.self)
            let words = SIMD2(UInt64(littleEndian: loaded[0]), UInt64(littleEndian: loaded[1]))
            let quotes = words ^ quotes2
            let backslashes = words ^ backslashes2
            let flags = (((quotes &- ones2) & ~quotes) | ((backslashes &- ones2) & ~backslashes)
                | (words &- spaces2) | words) & highs2
            if flags[0] != 0 { return index &+ flags[0].trailingZeroBitCount >> 3 }
            if flags[1] != 0 { return index &+ 8 &+ flags[1].trailingZeroBitCount >> 3 }
            index &+= 16
        }
        #endif
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let quotes = word ^ (ones &* UInt64(quote))
            let backslashes = word ^ (ones &* UInt64(backslash))
            // A byte of `quotes` or `backslashes` is zero, or a byte of `word` is below 0x20 or from 0x80.
            let special = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                | (word &- ones &* 0x20) | word
            // The lowest flagged byte is exact (borrows only run upwards): stop right on it.
            let flags = special & highs
            guard flags == 0 else { return index + flags.trailingZeroBitCount >> 3 }
            index += 8
        }
        return index
    }

    /// The index of the closing quote of the string whose text starts at `start` (after the
    /// opening quote) when that text is printable ASCII without escapes; nil otherwise.
    @inlinable @inline(__always)
    public static func plainASCIIStringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = skipPlainASCII(bytes, from: start)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote { return index }
            if byte == backslash || byte < 0x20 || byte >= 0x80 { return nil }
            index += 1
        }
        return nil
    }

    /// What ``stringEnd(_:from:)`` found in a string.
    public struct StringScan: Sendable, Hashable {
        /// The index just after the closing quote.
        public var end: Int
        /// The string holds a backslash escape.
        public var escaped: Bool
        /// The string holds bytes outside ASCII (checked to be well-formed UTF-8).
        public var nonASCII: Bool

        @inlinable
        public init(end: Int, escaped: Bool, nonASCII: Bool) {
            self.end = end
            self.escaped = escaped
            self.nonASCII = nonASCII
        }
    }

    /// Checks the string whose text starts at `start` (after the opening quote) as a strict
    /// parser does — valid escapes (`\uXXXX` with four hex digits), no control bytes, well-formed
    /// UTF-8 — without decoding it; nil when it is not a valid string.
    @inlinable @inline(__always)
    public static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> StringScan? {
        var index = start
        var high: UInt8 = 0
        var escaped = false
        while index < bytes.count {
            index = skipPlainASCII(bytes, from: index)
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            if byte == quote {
                let nonASCII = high >= 0x80
                if nonASCII, !isValidUTF8(bytes, start, index) { return nil }
                return StringScan(end: index + 1, escaped: escaped, nonASCII: nonASCII)
            }
            if byte == backslash {
                escaped = true
                guard index + 1 < bytes.count else { return nil }
                switch bytes[index + 1] {
                case quote, backslash, UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= bytes.count else { return nil }
                    for offset in 2..<6 where hexValue(bytes[index + offset]) == nil { return nil }
                    index += 6
                default:
                    return nil
                }
                continue
            }
            if byte < 0x20 { return nil }
            high |= byte
            index += 1
        }
        return nil
    }

    /// Whether `bytes[start..<end]` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    @inlinable
    public static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var index = start
        @inline(__always) func continuation(_ position: Int) -> Bool { position < end && bytes[position] & 0xC0 == 0x80 }
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

extension JSONBytes {
    /// Writes `number` in decimal, with a minus sign when negative, at `target`, which has room for
    /// ``decimalLength(_:)`` bytes; returns that length.
    @inlinable
    public static func writeDecimal(_ number: Int, to target: UnsafeMutablePointer<UInt8>) -> Int {
        let length = decimalLength(number)
        var magnitude = number.magnitude
        if number < 0 { target.pointee = UInt8(ascii: "-") }
        var end = length
        repeat {
            end &-= 1
            target[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        return length
    }

    /// The number of bytes ``writeDecimal(_:to:)`` writes for `number`.
    @inlinable
    public static func decimalLength(_ number: Int) -> Int {
        var magnitude = number.magnitude
        var length = number < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            length += 1
        }
        return length
    }
}
