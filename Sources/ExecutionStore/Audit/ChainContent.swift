/// The content of one tracked-field record as it is hashed, and its canonical serialisation.
///
/// The serialisation is the ASCII tag `conveyor-tracked-v1`, then each field in a fixed order:
/// a present field is the byte 0x01, its UTF-8 length as 4 bytes big-endian and its UTF-8 bytes;
/// an absent one (connection or operation) is the byte 0x00. Numbers are decimal text, the cut flag
/// `0` or `1`, the recording time the stored text (`2024-05-01T12:00:00.000Z`).
struct ChainContent {
    var executionID: String
    var processID: String
    var shapeID: String
    var connectionID: String?
    var operationID: String?
    var direction: String
    var documentIndex: Int
    var status: String
    var field: String
    var value: String
    var cut: Bool
    var recordedAt: String

    /// The canonical bytes that ``hash()`` digests.
    func canonicalBytes() -> [UInt8] {
        var canonical = Canonical(tag: "conveyor-tracked-v1", capacity: 128 + value.utf8.count)
        for part in [executionID, processID, shapeID, connectionID, operationID, direction,
                     String(documentIndex), status, field, value, cut ? "1" : "0", recordedAt] as [String?] {
            canonical.add(part)
        }
        return canonical.bytes
    }

    /// The content hash: SHA-256 of ``canonicalBytes()``.
    func hash() -> [UInt8]? {
        Digest.sha256(canonicalBytes())
    }
}
