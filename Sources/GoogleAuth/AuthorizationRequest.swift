import Foundation
import HTTPTransport
internal import COpenSSL
import Crypto

/// One browser sign-in: the authorization URL with its `state` and PKCE challenge (RFC 7636),
/// and the exchange of the code that comes back for a refresh token.
public struct AuthorizationRequest: Sendable {
    /// The URL to open in a browser.
    public let url: String
    /// The random `state` the redirect must echo.
    public let state: String
    /// Where the authorization server sends the browser back (`http://127.0.0.1:PORT/`).
    public let redirectURI: String
    /// The PKCE code verifier; secret until the exchange.
    let codeVerifier: String
    private let client: AuthorizationCodeClient

    /// Prepares a sign-in for `client` that redirects to `redirectURI`.
    public init(client: AuthorizationCodeClient, redirectURI: String) throws {
        self.client = client
        self.redirectURI = redirectURI
        state = try Self.randomToken(bytes: 16)
        codeVerifier = try Self.randomToken(bytes: 32)
        let fields = [
            ("response_type", "code"),
            ("client_id", client.clientID),
            ("redirect_uri", redirectURI),
            ("scope", client.scopes.joined(separator: " ")),
            ("state", state),
            ("code_challenge", Self.codeChallenge(for: codeVerifier)),
            ("code_challenge_method", "S256"),
            ("access_type", "offline"),
            ("prompt", "consent"),
        ]
        let query = String(decoding: FormEncoding.encode(fields), as: UTF8.self)
        url = client.authorizationURL + (client.authorizationURL.contains("?") ? "&" : "?") + query
    }

    /// Checks the redirect's parameters and exchanges its code for tokens.
    ///
    /// Fails when the redirect carries an `error`, lacks `code`, or echoes another `state`.
    public func complete(redirect parameters: [String: String], connection: String, http: any HTTPClient,
                         now: Date = Date()) async throws -> StoredCredentials {
        if let error = parameters["error"] {
            let description = parameters["error_description"].map { " (\($0))" } ?? ""
            throw AuthError(kind: .authorization, connection: connection, detail: "the authorization server answered \(error)\(description)")
        }
        guard parameters["state"] == state else {
            throw AuthError(kind: .authorization, connection: connection, detail: "the redirect's state does not match this sign-in")
        }
        guard let code = parameters["code"], !code.isEmpty else {
            throw AuthError(kind: .authorization, connection: connection, detail: "the redirect carries no code")
        }
        let endpoint = TokenEndpoint(url: client.tokenURL, http: http)
        let grant = try await endpoint.requestGrant([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI),
            ("client_id", client.clientID),
            ("client_secret", client.clientSecret),
            ("code_verifier", codeVerifier),
        ], now: now)
        guard let refreshToken = grant.refreshToken, !refreshToken.isEmpty else {
            throw AuthError(kind: .authorization, connection: connection,
                            detail: "the token endpoint \(endpoint.redactedURL) returned no refresh_token")
        }
        return StoredCredentials(refreshToken: refreshToken, clientID: client.clientID,
                                 scope: grant.scope ?? client.scopes.joined(separator: " "),
                                 tokenURL: client.tokenURL, storedAt: now)
    }

    /// `BASE64URL(SHA256(verifier))`, the S256 challenge.
    static func codeChallenge(for verifier: String) -> String {
        JWTAssertion.base64URL(SHA256.hash(data: Array(verifier.utf8)).withUnsafeBytes { [UInt8]($0) })
    }

    /// `bytes` random bytes from OpenSSL, base64url-encoded.
    static func randomToken(bytes: Int) throws -> String {
        var buffer = [UInt8](repeating: 0, count: bytes)
        guard conveyor_random_bytes(&buffer, Int32(bytes)) == 1 else {
            throw AuthError(kind: .authorization, detail: "no random bytes available (\(RSASigner.drainErrors()))")
        }
        return JWTAssertion.base64URL(buffer)
    }
}
