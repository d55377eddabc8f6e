import Foundation

/// An OAuth 2.0 client that signs users in with the authorization code grant (RFC 6749 §4.1).
public struct AuthorizationCodeClient: Sendable, Equatable {
    /// Google's authorization endpoint.
    public static let defaultAuthorizationURL = "https://accounts.google.com/o/oauth2/v2/auth"

    /// The client id (`client_id`).
    public var clientID: String
    /// The client secret; never put in messages.
    public var clientSecret: String
    /// The scopes to ask for.
    public var scopes: [String]
    /// Where the user's browser is sent to sign in.
    public var authorizationURL: String
    /// Where codes and refresh tokens are exchanged for tokens.
    public var tokenURL: String

    /// Creates a client description.
    public init(clientID: String, clientSecret: String, scopes: [String],
                authorizationURL: String = AuthorizationCodeClient.defaultAuthorizationURL,
                tokenURL: String = ServiceAccountKey.defaultTokenURI) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.authorizationURL = authorizationURL
        self.tokenURL = tokenURL
    }
}
