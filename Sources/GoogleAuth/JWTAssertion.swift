import Foundation

/// Builds the signed JWT that a service account exchanges for an access token (RFC 7523).
struct JWTAssertion {
    /// The `iss` claim: the service account's e-mail address.
    var issuer: String
    /// The header's `kid`, if known.
    var keyID: String?
    var scopes: [String]
    var audience: String
    var subject: String?
    var lifetime: TimeInterval = 3600

    init(issuer: String, keyID: String?, scopes: [String], audience: String, subject: String? = nil) {
        self.issuer = issuer
        self.keyID = keyID
        self.scopes = scopes
        self.audience = audience
        self.subject = subject
    }

    /// An assertion for a service-account key file's account and key.
    init(key: ServiceAccountKey, scopes: [String], audience: String, subject: String? = nil) {
        self.init(issuer: key.clientEmail, keyID: key.privateKeyID, scopes: scopes, audience: audience, subject: subject)
    }

    /// The header: `{"alg":"RS256","kid":…,"typ":"JWT"}` (no `kid` when unknown).
    var header: [String: Any] {
        var header: [String: Any] = ["alg": "RS256", "typ": "JWT"]
        if let keyID, !keyID.isEmpty {
            header["kid"] = keyID
        }
        return header
    }

    /// The claims for a token issued at `now`.
    func claims(now: Date) -> [String: Any] {
        let issuedAt = Int(now.timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": issuer,
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
