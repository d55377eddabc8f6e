internal import COpenSSL

/// SHA-256 digests (OpenSSL) and their hexadecimal form.
enum Digest {
    /// The hash before the first record of the chain: 32 zero bytes.
    static let genesis = [UInt8](repeating: 0, count: 32)

    /// The SHA-256 of `bytes`, or `nil` when OpenSSL fails (it does not for in-memory input).
    static func sha256(_ bytes: [UInt8]) -> [UInt8]? {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                conveyor_sha256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        return ok == 1 ? digest : nil
    }

    /// The chain hash of a record: SHA-256 of the previous chain hash followed by the content hash.
    static func link(previous: [UInt8], content: [UInt8]) -> [UInt8]? {
        sha256(previous + content)
    }

    /// HMAC-SHA256 (RFC 2104) of `message` with `key`, built on ``sha256(_:)``; `nil` when OpenSSL fails.
    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8]? {
        let blockSize = 64
        var block = key.count > blockSize ? (sha256(key) ?? []) : key
        guard !block.isEmpty || key.isEmpty else { return nil }
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        guard let inner = sha256(block.map { $0 ^ 0x36 } + message) else { return nil }
        return sha256(block.map { $0 ^ 0x5C } + inner)
    }

    /// Lower-case hexadecimal text for `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
