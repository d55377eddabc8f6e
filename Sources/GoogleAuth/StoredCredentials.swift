import Foundation

/// What `conveyor auth login` keeps for an authorization-code connection.
public struct StoredCredentials: Codable, Sendable, Equatable {
    /// The long-lived refresh token; secret.
    public var refreshToken: String
    /// The OAuth client it was issued to.
    public var clientID: String
    /// The scopes granted, space-separated.
    public var scope: String
    /// The token endpoint that issued it.
    public var tokenURL: String
    /// When it was stored.
    public var storedAt: Date

    /// Creates stored credentials.
    public init(refreshToken: String, clientID: String, scope: String, tokenURL: String, storedAt: Date) {
        self.refreshToken = refreshToken
        self.clientID = clientID
        self.scope = scope
        self.tokenURL = tokenURL
        self.storedAt = storedAt
    }

    enum CodingKeys: String, CodingKey {
        case refreshToken = "refresh_token"
        case clientID = "client_id"
        case scope
        case tokenURL = "token_url"
        case storedAt = "stored_at"
    }
}
