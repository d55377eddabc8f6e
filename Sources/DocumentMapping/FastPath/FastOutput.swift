/// The bytes ``FastMapWriter`` writes, stored through a pointer into a buffer sized beforehand.
///
/// Appending is a bounds check and a store (no uniqueness or capacity check of an `Array` per
/// byte). A write that does not fit is dropped and sets ``overflowed``: the caller then grows
/// the buffer and writes the document again.
struct FastOutput {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0
    /// A write did not fit; the bytes are incomplete.
    private(set) var overflowed = false

    /// An empty output over `capacity` bytes at `base` (which must stay valid while this is used).
    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Appends one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        guard count < capacity else {
            overflowed = true
            return
        }
        base[count] = byte
        count += 1
    }

    /// The longest run ``append(_:count:readable:)`` writes in one move.
    static let shortRun = 16

    /// Appends the `length` bytes at `source`, of which `readable` (at least `length`) may be read.
    /// A run of at most ``shortRun`` bytes with that many readable, and room for as many, is one
    /// 16-byte move (the bytes past the run are overwritten by the next append or never counted).
    @inline(__always)
    mutating func append(_ source: UnsafePointer<UInt8>, count length: Int, readable: Int) {
        if length <= Self.shortRun, readable >= Self.shortRun, capacity &- count >= Self.shortRun {
            let raw = UnsafeRawPointer(source)
            let target = UnsafeMutableRawPointer(base + count)
            target.storeBytes(of: raw.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(of: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            count &+= length
            return
        }
        append(UnsafeBufferPointer(start: source, count: length))
    }

    /// Appends a run of bytes.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        guard bytes.count <= capacity - count else {
            overflowed = true
            return
        }
        let length = bytes.count
        let target = base + count
        if length >= 8, length <= 16 {
            // Keys and most values are short: two overlapping 8-byte moves instead of a call to memmove.
            let raw = UnsafeRawPointer(source)
            let first = raw.loadUnaligned(as: UInt64.self)
            let last = raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: first, as: UInt64.self)
            UnsafeMutableRawPointer(target).storeBytes(of: last, toByteOffset: length - 8, as: UInt64.self)
        } else if length < 8 {
            for offset in 0..<length { target[offset] = source[offset] }
        } else {
            target.update(from: source, count: length)
        }
        count += length
    }

    /// Appends `bytes[start..<end]` changing ASCII letters by `operation` (uppercase or lowercase);
    /// `trim` copies them unchanged.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ operation: FastTextOperation) {
        let length = end - start
        guard length > 0, let source = bytes.baseAddress else { return }
        guard length <= capacity - count else {
            overflowed = true
            return
        }
        let target = base + count
        switch operation {
        case .uppercase, .lowercase:
            let (first, last) = operation == .uppercase ? (UInt8(ascii: "a"), UInt8(ascii: "z")) : (UInt8(ascii: "A"), UInt8(ascii: "Z"))
            var offset = 0
            // Eight bytes at a time: the letters' case bit flipped in one word.
            while offset &+ 8 <= length {
                let word = UnsafeRawPointer(source + start + offset).loadUnaligned(as: UInt64.self)
                UnsafeMutableRawPointer(target + offset).storeBytes(of: Self.flipCase(word, first, last), as: UInt64.self)
                offset &+= 8
            }
            if offset < length {
                if length >= 8 {
                    // The last eight bytes again, overlapping: each comes out as the word before wrote it.
                    let tail = length &- 8
                    let word = UnsafeRawPointer(source + start + tail).loadUnaligned(as: UInt64.self)
                    UnsafeMutableRawPointer(target + tail).storeBytes(of: Self.flipCase(word, first, last), as: UInt64.self)
                    offset = length
                } else if start &+ 8 <= bytes.count, capacity &- count >= 8 {
                    // A short run in one word: the bytes past it are read from the source and
                    // written past the count, where the next append overwrites them.
                    let word = UnsafeRawPointer(source + start).loadUnaligned(as: UInt64.self)
                    UnsafeMutableRawPointer(target).storeBytes(of: Self.flipCase(word, first, last), as: UInt64.self)
                    offset = length
                }
            }
            while offset < length {
                let byte = source[start + offset]
                target[offset] = byte &- first <= last &- first ? byte ^ 0x20 : byte
                offset &+= 1
            }
        case .trim:
            target.update(from: source + start, count: length)
        }
        count += length
    }

    /// `word` with bit 5 flipped in each byte from `first` through `last` (ASCII letters of one
    /// case); bytes from 0x80 are left as they are.
    @inline(__always)
    static func flipCase(_ word: UInt64, _ first: UInt8, _ last: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let low = word & ~highs
        // A byte's high bit: its low seven bits are at least `first`; above `last`. No sum carries
        // into the next byte (at most 0x7F + 0x3F).
        let atLeastFirst = low &+ ones &* UInt64(0x80 &- first)
        let aboveLast = low &+ ones &* UInt64(0x80 &- (last &+ 1))
        let letters = atLeastFirst & ~aboveLast & ~word & highs
        return word ^ (letters >> 2)
    }

    /// Changes the ASCII letters of the written bytes `from..<count` by `operation` (not `trim`).
    mutating func recase(from start: Int, _ operation: FastTextOperation) {
        for position in start..<count {
            let byte = base[position]
            switch operation {
            case .uppercase: if byte &- UInt8(ascii: "a") < 26 { base[position] = byte &- 32 }
            case .lowercase: if byte &- UInt8(ascii: "A") < 26 { base[position] = byte &+ 32 }
            case .trim: break
            }
        }
    }

    /// Drops the written bytes `from..<count` that are ASCII spaces at either end, moving the rest to `from`.
    mutating func trim(from start: Int) {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var end = count
        while end > start, isSpace(base[end - 1]) { end -= 1 }
        var first = start
        while first < end, isSpace(base[first]) { first += 1 }
        if first > start {
            for offset in 0..<(end - first) { base[start + offset] = base[first + offset] }
        }
        count = start + (end - first)
    }
}
