import Foundation
import HTTPTransport

/// Obtains access tokens for a service account with the OAuth 2.0 JWT bearer grant (RFC 7523).
///
/// Signs an RS256 assertion with the account's private key and exchanges it at the token
/// endpoint. Tokens are cached and refreshed when within five minutes of expiry; concurrent
/// callers share one in-flight refresh.
public actor JWTBearerTokenProvider: AccessTokenProvider {
    /// How long before expiry a token is refreshed.
    public static let refreshMargin: TimeInterval = 300
    /// The JWT bearer grant type.
    static let grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    private let key: ServiceAccountKey
    private let scopes: [String]
    private let subject: String?
    private let endpoint: TokenEndpoint
    private let now: @Sendable () -> Date
    private var signer: RSASigner?
    private var cached: AccessToken?
    private var refreshing: Task<AccessToken, any Error>?

    /// Creates a provider.
    ///
    /// - Parameters:
    ///   - tokenURL: the token endpoint and JWT audience; defaults to the key's `token_uri`,
    ///     then `https://oauth2.googleapis.com/token`.
    ///   - subject: the user to impersonate with domain-wide delegation, if any.
    public init(
        key: ServiceAccountKey,
        scopes: [String],
        tokenURL: String? = nil,
        subject: String? = nil,
        http: any HTTPClient,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.key = key
        self.scopes = scopes
        self.subject = subject
        let fromKey = key.tokenURI.isEmpty ? ServiceAccountKey.defaultTokenURI : key.tokenURI
        endpoint = TokenEndpoint(url: tokenURL ?? fromKey, http: http)
        self.now = now
    }

    /// The token endpoint, which is also the assertion's audience.
    public nonisolated var tokenURL: String {
        endpoint.url
    }

    /// A cached token with more than five minutes left, or a fresh one.
    public func token() async throws -> AccessToken? {
        if let cached, cached.isValid(at: now(), margin: Self.refreshMargin) {
            return cached
        }
        if let refreshing {
            return try await refreshing.value
        }
        let task = Task { try await self.requestToken() }
        refreshing = task
        do {
            let token = try await task.value
            cached = token
            refreshing = nil
            return token
        } catch {
            refreshing = nil
            throw error
        }
    }

    /// Drops the cached token if it is `token`, so the next call fetches a new one.
    public func invalidate(_ token: AccessToken) async {
        if cached?.value == token.value {
            cached = nil
        }
    }

    /// Signs an assertion and exchanges it for a token.
    private func requestToken() async throws -> AccessToken {
        let issuedAt = now()
        let assertion = JWTAssertion(key: key, scopes: scopes, audience: endpoint.url, subject: subject)
        let signed: String
        do {
            signed = try assertion.signed(now: issuedAt, signer: try loadSigner())
        } catch let failure as RSASigner.Failure {
            throw AuthError(kind: .signing, tokenURL: endpoint.redactedURL, detail: "key \(key.privateKeyID) of \(key.clientEmail): \(failure.description)")
        }
        return try await endpoint.requestToken([("grant_type", Self.grantType), ("assertion", signed)], now: issuedAt)
    }

    private func loadSigner() throws -> RSASigner {
        if let signer {
            return signer
        }
        let loaded = try RSASigner(pem: key.privateKeyPEM)
        signer = loaded
        return loaded
    }
}
