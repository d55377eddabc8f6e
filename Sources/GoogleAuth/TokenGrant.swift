import Foundation

/// One way of obtaining a fresh access token from a token endpoint, such as the JWT bearer
/// or the refresh token grant.
///
/// ``CachedTokenProvider`` caches what a grant returns and asks it again shortly before expiry.
public protocol TokenGrant: Sendable {
    /// The token endpoint the grant posts to, for messages.
    var tokenURL: String { get }
    /// Requests a new token; `now` dates its expiry and any assertion.
    func requestToken(now: Date) async throws -> AccessToken
}
