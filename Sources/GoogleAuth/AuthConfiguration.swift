import Foundation
import HTTPTransport

/// How a connection authenticates, as configured by its `<auth grant="…">` element.
public enum AuthConfiguration: Sendable, Equatable {
    /// No credentials (a local emulator).
    case none
    /// A service-account JSON key file (JWT bearer grant).
    case serviceAccountKey(path: String, tokenURL: String?, subject: String?)
    /// An issuer with a PEM or PKCS#12 private key (JWT bearer grant).
    case signatureKey(issuer: String, path: String, password: String?, tokenURL: String?, subject: String?)
    /// A refresh token stored by `conveyor auth login` (authorization code, then refresh token grant).
    case authorizationCode(AuthorizationCodeClient)
    /// The file named by `GOOGLE_APPLICATION_CREDENTIALS`.
    case applicationDefault(tokenURL: String?)

    /// The grant name used in `<auth grant="…">`.
    public var grantName: String {
        switch self {
        case .none: "none"
        case .serviceAccountKey, .signatureKey: "jwt-bearer"
        case .authorizationCode: "authorization-code"
        case .applicationDefault: "application-default"
        }
    }

    /// Builds the token provider for `connection`.
    ///
    /// Key files are read now, so that a missing file or wrong PKCS#12 password fails early;
    /// stored refresh tokens are read from `store` whenever a token is needed.
    public func makeProvider(connection: String, scopes: [String], http: any HTTPClient, store: CredentialStore,
                             environment: [String: String],
                             now: @escaping @Sendable () -> Date = { Date() }) throws -> any AccessTokenProvider {
        switch self {
        case .none:
            return NoCredentials()
        case .serviceAccountKey(let path, let tokenURL, let subject):
            let key = try ServiceAccountKey.load(path: path)
            return JWTBearerTokenProvider(key: key, scopes: scopes, tokenURL: tokenURL, subject: subject, http: http, now: now)
        case .signatureKey(let issuer, let path, let password, let tokenURL, let subject):
            let key = try SigningKey.load(path: path, password: password)
            return JWTBearerTokenProvider(issuer: issuer, signingKey: key, scopes: scopes, tokenURL: tokenURL,
                                          subject: subject, http: http, now: now)
        case .authorizationCode(let client):
            let grant = RefreshTokenGrant(clientID: client.clientID, clientSecret: client.clientSecret,
                                          source: .store(store, connection: connection), tokenURL: client.tokenURL, http: http)
            return CachedTokenProvider(grant: grant, now: now)
        case .applicationDefault(let tokenURL):
            return try ApplicationDefaultCredentials.provider(environment: environment, scopes: scopes, tokenURL: tokenURL,
                                                              http: http, now: now)
        }
    }
}
