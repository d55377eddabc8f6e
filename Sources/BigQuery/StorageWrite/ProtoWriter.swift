/// Appends protobuf wire-format values to a byte buffer (the subset a row message needs).
struct ProtoWriter: Sendable {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2
    }

    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Drops what was written after `count` bytes.
    mutating func truncate(to count: Int) {
        bytes.removeSubrange(count...)
    }

    mutating func tag(_ number: Int32, _ wire: WireType) {
        varint(UInt64(UInt32(bitPattern: number)) << 3 | UInt64(wire.rawValue))
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// An `int64` or `int32` field value: negative numbers take ten bytes (two's complement).
    mutating func int64(_ number: Int32, _ value: Int64) {
        tag(number, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ number: Int32, _ value: Bool) {
        tag(number, .varint)
        bytes.append(value ? 1 : 0)
    }

    mutating func double(_ number: Int32, _ value: Double) {
        tag(number, .fixed64)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    mutating func lengthDelimited(_ number: Int32, _ value: some Collection<UInt8>) {
        tag(number, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ number: Int32, _ value: String) {
        var value = value
        value.withUTF8 { lengthDelimited(number, $0) }
    }
}
