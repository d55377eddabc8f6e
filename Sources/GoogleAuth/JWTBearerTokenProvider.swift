import Foundation
import HTTPTransport

/// Obtains access tokens for a service account with the OAuth 2.0 JWT bearer grant (RFC 7523).
///
/// Signs an RS256 assertion with the account's private key and exchanges it at the token
/// endpoint. Tokens are cached by a ``CachedTokenProvider``: refreshed when within five minutes
/// of expiry, one in-flight refresh shared by concurrent callers.
public struct JWTBearerTokenProvider: AccessTokenProvider {
    /// How long before expiry a token is refreshed.
    public static let refreshMargin = CachedTokenProvider.refreshMargin
    /// The JWT bearer grant type.
    static let grantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    private let cache: CachedTokenProvider
    /// The token endpoint, which is also the assertion's audience.
    public let tokenURL: String

    /// Creates a provider for a service-account JSON key.
    ///
    /// - Parameters:
    ///   - tokenURL: the token endpoint and JWT audience; defaults to the key's `token_uri`,
    ///     then `https://oauth2.googleapis.com/token`.
    ///   - subject: the user to impersonate with domain-wide delegation (the JWT `sub`), if any.
    public init(
        key: ServiceAccountKey,
        scopes: [String],
        tokenURL: String? = nil,
        subject: String? = nil,
        http: any HTTPClient,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let fromKey = key.tokenURI.isEmpty ? ServiceAccountKey.defaultTokenURI : key.tokenURI
        let grant = JWTBearerGrant(
            issuer: key.clientEmail, keyID: key.privateKeyID, source: .pem(key.privateKeyPEM),
            scopes: scopes, subject: subject, endpoint: TokenEndpoint(url: tokenURL ?? fromKey, http: http)
        )
        self.tokenURL = grant.tokenURL
        cache = CachedTokenProvider(grant: grant, now: now)
    }

    /// Creates a provider for an issuer and a separately stored private key (PEM or PKCS#12).
    ///
    /// - Parameters:
    ///   - issuer: the service account's e-mail address (the JWT `iss`).
    ///   - tokenURL: the token endpoint and JWT audience; default `https://oauth2.googleapis.com/token`.
    ///   - subject: the user to impersonate with domain-wide delegation (the JWT `sub`), if any.
    public init(
        issuer: String,
        signingKey: SigningKey,
        scopes: [String],
        tokenURL: String? = nil,
        subject: String? = nil,
        http: any HTTPClient,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let grant = JWTBearerGrant(
            issuer: issuer, keyID: signingKey.keyID, source: .loaded(signingKey.signer), scopes: scopes,
            subject: subject, endpoint: TokenEndpoint(url: tokenURL ?? ServiceAccountKey.defaultTokenURI, http: http)
        )
        self.tokenURL = grant.tokenURL
        cache = CachedTokenProvider(grant: grant, now: now)
    }

    /// A cached token with more than five minutes left, or a fresh one.
    public func token() async throws -> AccessToken? {
        try await cache.token()
    }

    /// Drops the cached token if it is `token`, so the next call fetches a new one.
    public func invalidate(_ token: AccessToken) async {
        await cache.invalidate(token)
    }
}

/// The JWT bearer grant: a signed assertion exchanged for a token.
struct JWTBearerGrant: TokenGrant {
    /// Where the private key comes from.
    enum Source: Sendable {
        /// PEM text, parsed at each request so that a broken key is reported as a signing error.
        case pem(String)
        case loaded(RSASigner)
    }

    var issuer: String
    var keyID: String?
    var source: Source
    var scopes: [String]
    var subject: String?
    var endpoint: TokenEndpoint

    var tokenURL: String {
        endpoint.url
    }

    func requestToken(now: Date) async throws -> AccessToken {
        let assertion = JWTAssertion(issuer: issuer, keyID: keyID, scopes: scopes, audience: endpoint.url, subject: subject)
        let signed: String
        do {
            let signer: RSASigner
            switch source {
            case .pem(let pem): signer = try RSASigner(pem: pem)
            case .loaded(let loaded): signer = loaded
            }
            signed = try assertion.signed(now: now, signer: signer)
        } catch let failure as RSASigner.Failure {
            throw AuthError(kind: .signing, tokenURL: endpoint.redactedURL, detail: "key \(keyID ?? "?") of \(issuer): \(failure.description)")
        }
        return try await endpoint.requestToken([("grant_type", JWTBearerTokenProvider.grantType), ("assertion", signed)], now: now)
    }
}
