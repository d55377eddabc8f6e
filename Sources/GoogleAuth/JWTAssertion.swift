import Foundation

/// Builds the signed JWT that a service account exchanges for an access token (RFC 7523).
struct JWTAssertion {
    var key: ServiceAccountKey
    var scopes: [String]
    var audience: String
    var subject: String?
    var lifetime: TimeInterval = 3600

    /// The header: `{"alg":"RS256","kid":…,"typ":"JWT"}`.
    var header: [String: Any] {
        ["alg": "RS256", "typ": "JWT", "kid": key.privateKeyID]
    }

    /// The claims for a token issued at `now`.
    func claims(now: Date) -> [String: Any] {
        let issuedAt = Int(now.timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": key.clientEmail,
            "scope": scopes.joined(separator: " "),
            "aud": audience,
            "iat": issuedAt,
            "exp": issuedAt + Int(lifetime),
        ]
        if let subject {
            claims["sub"] = subject
        }
        return claims
    }

    /// `base64url(header).base64url(claims).base64url(signature)`.
    func signed(now: Date, signer: RSASigner) throws -> String {
        let signingInput = try Self.encodeSegment(header) + "." + Self.encodeSegment(claims(now: now))
        let signature = try signer.sign(Array(signingInput.utf8))
        return signingInput + "." + Self.base64URL(signature)
    }

    /// Compact JSON of `object`, base64url-encoded.
    static func encodeSegment(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return base64URL(Array(data))
    }

    /// Base64url without padding (RFC 7515 §2).
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
