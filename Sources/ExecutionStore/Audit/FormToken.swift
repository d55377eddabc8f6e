import Foundation

/// Tokens that prove a form was served by a host (CSRF tokens): HMAC-SHA256 of the form's purpose
/// (such as `retry:ex-…`) under a key derived from a secret the hosts share (the host's
/// credentials), so any host of a cluster accepts a form another served, and nobody without the
/// key can make one.
public struct FormToken: Sendable {
    private let key: [UInt8]

    /// A key derived from `secret`; an empty secret gives a random key (tokens valid on this host only).
    public init(secret: [UInt8]) {
        if secret.isEmpty {
            var random = [UInt8](repeating: 0, count: 32)
            var generator = SystemRandomNumberGenerator()
            for index in random.indices { random[index] = UInt8.random(in: 0...255, using: &generator) }
            key = random
        } else {
            key = Digest.sha256(Array("conveyor form token".utf8) + [0] + secret) ?? secret
        }
    }

    /// The token for `purpose`, 64 hexadecimal digits.
    public func token(for purpose: String) -> String {
        Digest.hex(Digest.hmac(key: key, Array(purpose.utf8)) ?? [])
    }

    /// Whether `given` is the token for `purpose` (compared in constant time).
    public func accepts(_ given: String, for purpose: String) -> Bool {
        let expected = Array(token(for: purpose).utf8)
        let bytes = Array(given.utf8)
        guard !expected.isEmpty else { return false }
        var difference: UInt8 = bytes.count == expected.count ? 0 : 1
        for index in expected.indices { difference |= expected[index] ^ (index < bytes.count ? bytes[index] : 0) }
        return difference == 0
    }
}
