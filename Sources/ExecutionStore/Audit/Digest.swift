import ConveyorBase
import Crypto

/// SHA-256 digests and their hexadecimal form. (swift-crypto's, built in: OpenSSL's first digest
/// sets up its provider's algorithms, about 3 million instructions of every run that records one.)
enum Digest {
    /// The hash before the first record of the chain: 32 zero bytes.
    static let genesis = [UInt8](repeating: 0, count: 32)

    /// The SHA-256 of `bytes` (optional for the callers written when it could fail; it never is nil).
    static func sha256(_ bytes: [UInt8]) -> [UInt8]? {
        // Through the buffer, and out of the digest's bytes in one copy: `Array(digest)` copies it
        // as a generic sequence, byte by byte (about 1,900 instructions of a hash's 8,000).
        let digest = bytes.withUnsafeBytes { SHA256.hash(data: $0) }
        return digest.withUnsafeBytes { [UInt8]($0) }
    }

    /// The chain hash of a record: SHA-256 of the previous chain hash followed by the content hash.
    static func link(previous: [UInt8], content: [UInt8]) -> [UInt8]? {
        sha256(previous + content)
    }

    /// HMAC-SHA256 (RFC 2104) of `message` with `key`, built on ``sha256(_:)``; `nil` when hashing fails.
    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8]? {
        let blockSize = 64
        var block = key.count > blockSize ? (sha256(key) ?? []) : key
        guard !block.isEmpty || key.isEmpty else { return nil }
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        guard let inner = sha256(block.map { $0 ^ 0x36 } + message) else { return nil }
        return sha256(block.map { $0 ^ 0x5C } + inner)
    }

    /// Lower-case hexadecimal text for `bytes`.
    static func hex(_ bytes: [UInt8]) -> String { Hexadecimal.lowercase(bytes) }
}
