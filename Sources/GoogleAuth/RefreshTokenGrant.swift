import Foundation
import HTTPTransport

/// The refresh token grant (RFC 6749 §6): a stored refresh token exchanged for access tokens.
///
/// The refresh token is read at each request, from the ``CredentialStore`` for connections
/// signed in with `conveyor auth login`, or given directly (application default credentials of
/// type `authorized_user`).
public struct RefreshTokenGrant: TokenGrant {
    /// Where the refresh token comes from.
    public enum Source: Sendable {
        /// Stored by `conveyor auth login` for a connection.
        case store(CredentialStore, connection: String)
        /// Given directly; `origin` names it in errors (such as a credentials file).
        case fixed(String, origin: String)
    }

    /// The OAuth client.
    public var clientID: String
    /// The client's secret; never put in messages.
    public var clientSecret: String
    /// Where the refresh token comes from.
    public var source: Source
    private let endpoint: TokenEndpoint

    /// Creates the grant posting to `tokenURL` through `http`.
    public init(clientID: String, clientSecret: String, source: Source, tokenURL: String, http: any HTTPClient) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.source = source
        endpoint = TokenEndpoint(url: tokenURL, http: http)
    }

    /// The token endpoint.
    public var tokenURL: String {
        endpoint.url
    }

    /// Exchanges the refresh token for an access token.
    public func requestToken(now: Date) async throws -> AccessToken {
        let refreshToken: String
        let connection: String
        switch source {
        case .store(let store, let name):
            connection = name
            guard let stored = try store.load(connection: name), !stored.refreshToken.isEmpty else {
                throw AuthError(kind: .noStoredCredentials, connection: name)
            }
            refreshToken = stored.refreshToken
        case .fixed(let token, let origin):
            connection = origin
            refreshToken = token
        }
        do {
            return try await endpoint.requestToken([
                ("grant_type", "refresh_token"),
                ("refresh_token", refreshToken),
                ("client_id", clientID),
                ("client_secret", clientSecret),
            ], now: now)
        } catch let error as AuthError where error.oauthError == "invalid_grant" {
            guard case .store = source else {
                throw error
            }
            var refused = error
            refused.kind = .refreshTokenRefused
            refused.connection = connection
            throw refused
        }
    }
}
