import Foundation
import HTTPTransport

/// OAuth 2.0 JWT bearer grant (RFC 7523) with a service-account key: signs an RS256 assertion
/// and exchanges it at the token endpoint. Tokens are cached and refreshed five minutes before
/// they expire; concurrent callers share one refresh.
public actor JWTBearerTokenProvider: AccessTokenProvider {
    private let key: ServiceAccountKey
    private let scopes: [String]
    private let tokenURL: String
    private let subject: String?
    private let http: any HTTPClient
    private let now: @Sendable () -> Date
    private var signer: RS256Signer?
    private var cached: AccessToken?
    private var refreshing: Task<AccessToken, any Error>?

    /// Tokens are renewed when they have less than this left.
    static let refreshMargin: TimeInterval = 300

    public init(key: ServiceAccountKey, scopes: [String], tokenURL: String? = nil, subject: String? = nil,
                http: any HTTPClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.key = key
        self.scopes = scopes
        self.tokenURL = tokenURL ?? (key.tokenURI.isEmpty ? "https://oauth2.googleapis.com/token" : key.tokenURI)
        self.subject = subject
        self.http = http
        self.now = now
    }

    public func token() async throws -> AccessToken? {
        if let cached, cached.expiresAt.timeIntervalSince(now()) > Self.refreshMargin { return cached }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.fetch() }
        refreshing = task
        defer { refreshing = nil }
        let token = try await task.value
        cached = token
        return token
    }

    public func invalidate(_ token: AccessToken) async {
        if cached == token { cached = nil }
    }

    /// The signed assertion: header, claims, RS256 signature, base64url-joined.
    func assertion(issuedAt: Date) throws -> String {
        if signer == nil { signer = try RS256Signer(pem: key.privateKeyPEM) }
        guard let signer else { throw AuthError(source: tokenURL, message: "no signer") }
        let header: [String: Any] = ["alg": "RS256", "typ": "JWT", "kid": key.privateKeyID]
        let issued = Int(issuedAt.timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": key.clientEmail, "scope": scopes.joined(separator: " "), "aud": tokenURL,
            "iat": issued, "exp": issued + 3600,
        ]
        if let subject { claims["sub"] = subject }
        let encode = { (object: [String: Any]) throws -> String in
            Base64URL.encode([UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
        }
        let signingInput = try encode(header) + "." + encode(claims)
        return signingInput + "." + Base64URL.encode(try signer.sign(Array(signingInput.utf8)))
    }

    private func fetch() async throws -> AccessToken {
        let issuedAt = now()
        let body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
            + (try assertion(issuedAt: issuedAt))
        let request = HTTPRequest(method: "POST", url: tokenURL,
                                  headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                                            HTTPHeader("Accept", "application/json")],
                                  body: Array(body.utf8))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw AuthError(source: tokenURL, message: "the token endpoint could not be reached: \(error)")
        }
        return try TokenResponse.decode(response, source: tokenURL, issuedAt: issuedAt)
    }
}

/// Reads an OAuth 2.0 token endpoint response.
enum TokenResponse {
    static func decode(_ response: HTTPResponse, source: String, issuedAt: Date) throws -> AccessToken {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard (200..<300).contains(response.status) else {
            let code = object?["error"] as? String
            let description = object?["error_description"] as? String
                ?? (object == nil ? "the response is not JSON" : "no error description")
            throw AuthError(source: source, status: response.status, code: code, message: description)
        }
        guard let value = object?["access_token"] as? String, !value.isEmpty else {
            throw AuthError(source: source, status: response.status, message: "the response has no access_token")
        }
        let lifetime = (object?["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        return AccessToken(value: value, expiresAt: issuedAt.addingTimeInterval(lifetime))
    }
}
