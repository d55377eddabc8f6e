/// The secret with which the store signs the head of the audit chain and each purge checkpoint
/// (HMAC-SHA256), so that someone who can write the database file but does not know the key
/// cannot cut records off the end of the chain or forge a checkpoint unnoticed.
///
/// The key is held in memory only: never stored, logged or printed (its description is `***`).
public struct AuditKey: Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    /// A key made of the UTF-8 bytes of `secret`; `nil` when it is empty.
    public init?(secret: String) {
        guard !secret.isEmpty else { return nil }
        bytes = Array(secret.utf8)
    }

    /// `***`: the key is never shown.
    public var description: String { "***" }

    /// The HMAC-SHA256 of `message` with this key.
    func sign(_ message: [UInt8]) -> [UInt8]? {
        Digest.hmac(key: bytes, message)
    }
}
