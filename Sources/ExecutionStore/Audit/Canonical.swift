/// The canonical serialisation hashed by the audit chain: an ASCII tag, then each field in a fixed
/// order. A present field is the byte 0x01, its UTF-8 length as 4 bytes big-endian and its UTF-8
/// bytes; an absent one is the byte 0x00.
struct Canonical {
    private(set) var bytes: [UInt8]

    init(tag: String, capacity: Int = 128) {
        bytes = Array(tag.utf8)
        bytes.reserveCapacity(capacity)
    }

    /// Appends one field (`nil` for an absent one).
    mutating func add(_ part: String?) {
        guard let part else {
            bytes.append(0)
            return
        }
        let utf8 = part.utf8
        let count = UInt32(clamping: utf8.count)
        bytes.append(1)
        bytes.append(UInt8(count >> 24))
        bytes.append(UInt8((count >> 16) & 0xFF))
        bytes.append(UInt8((count >> 8) & 0xFF))
        bytes.append(UInt8(count & 0xFF))
        bytes.append(contentsOf: utf8)
    }
}
