import Foundation

/// Appends protobuf wire-format values to a byte buffer (the subset a row message needs).
///
/// The buffer is its own memory (`malloc`, grown by doubling), written through a pointer: a value
/// costs a capacity check and its stores, with no uniqueness check or reference counting per byte.
/// It cannot be copied: pass it `inout`, and read what it wrote with ``withBytes(_:)`` or take it
/// over with ``takeBuffer()``.
struct ProtoWriter: ~Copyable {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2
    }

    private var base: UnsafeMutablePointer<UInt8>?
    private var capacity = 0
    /// The number of bytes written.
    private(set) var count = 0

    init(capacity: Int = 0) {
        if capacity > 0 { grow(atLeast: capacity) }
    }

    deinit { free(base) }

    /// The bytes written, copied.
    var bytes: [UInt8] {
        guard let base else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: count))
    }


    /// The bytes written, handed over as a ``RowBuffer`` without a copy; the writer is used up.
    consuming func takeBuffer() -> RowBuffer {
        let buffer = RowBuffer(taking: base, count: count)
        discard self
        return buffer
    }

    /// Calls `body` with the bytes written.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Drops what was written after `count` bytes.
    mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count, "ProtoWriter.truncate past the end")
        self.count = count
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if capacity - count < extra { grow(atLeast: count + extra) }
        // `grow` leaves a buffer (or stops the program when memory runs out).
        return base.unsafelyUnwrapped + count
    }

    private mutating func grow(atLeast needed: Int) {
        let next = Swift.max(needed, capacity * 2, 64)
        guard let grown = realloc(base, next) else { fatalError("out of memory: \(next) bytes for a protobuf row") }
        base = grown.assumingMemoryBound(to: UInt8.self)
        capacity = next
    }

    /// Room for `extra` bytes, to be written through the pointer and counted by
    /// ``commitUnchecked(_:)`` (at most `extra`).
    @inline(__always)
    mutating func reserveUnchecked(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        reserve(extra)
    }

    /// Counts `written` bytes stored through the pointer of ``reserveUnchecked(_:)``.
    @inline(__always)
    mutating func commitUnchecked(_ written: Int) {
        count &+= written
    }

    mutating func tag(_ number: Int32, _ wire: WireType) {
        varint(UInt64(UInt32(bitPattern: number)) << 3 | UInt64(wire.rawValue))
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        let start = reserve(10)
        count += start.distance(to: Self.storeVarint(value, at: start))
    }

    /// Stores `value` as a varint at `start` (room for ten bytes); returns the address after it.
    @inline(__always)
    static func storeVarint(_ value: UInt64, at start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var out = start
        var value = value
        while value >= 0x80 {
            out.pointee = UInt8(truncatingIfNeeded: value) | 0x80
            out += 1
            value >>= 7
        }
        out.pointee = UInt8(truncatingIfNeeded: value)
        return out + 1
    }

    /// An `int64` or `int32` field value: negative numbers take ten bytes (two's complement).
    mutating func int64(_ number: Int32, _ value: Int64) {
        tag(number, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ number: Int32, _ value: Bool) {
        tag(number, .varint)
        reserve(1).pointee = value ? 1 : 0
        count += 1
    }

    mutating func double(_ number: Int32, _ value: Double) {
        tag(number, .fixed64)
        let out = reserve(8)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress.unsafelyUnwrapped, byteCount: 8) }
        count += 8
    }

    mutating func lengthDelimited(_ number: Int32, _ value: UnsafeBufferPointer<UInt8>) {
        tag(number, .lengthDelimited)
        varint(UInt64(value.count))
        guard let source = value.baseAddress, !value.isEmpty else { return }
        reserve(value.count).update(from: source, count: value.count)
        count += value.count
    }

    /// Bytes as they are (an already encoded part of a message).
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bytes in
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            reserve(bytes.count).update(from: source, count: bytes.count)
            count += bytes.count
        }
    }

    mutating func lengthDelimited(_ number: Int32, _ value: [UInt8]) {
        value.withUnsafeBufferPointer { lengthDelimited(number, $0) }
    }

    /// A nested message written by `inner`.
    mutating func lengthDelimited(_ number: Int32, _ inner: borrowing ProtoWriter) {
        lengthDelimited(number, UnsafeBufferPointer(start: inner.base, count: inner.count))
    }

    mutating func string(_ number: Int32, _ value: String) {
        var value = value
        value.withUTF8 { lengthDelimited(number, $0) }
    }
}
