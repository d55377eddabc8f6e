import Foundation

/// An OAuth 2.0 access token and the moment it stops being accepted.
public struct AccessToken: Sendable, Hashable {
    /// The bearer token sent in the `Authorization` header.
    public var value: String
    /// When the token expires.
    public var expiresAt: Date

    /// Creates a token.
    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }

    /// Whether the token is still usable at `now` with `margin` to spare.
    public func isValid(at now: Date, margin: TimeInterval = 300) -> Bool {
        expiresAt.timeIntervalSince(now) > margin
    }
}

/// Supplies access tokens for API requests.
public protocol AccessTokenProvider: Sendable {
    /// A valid token, or nil to send requests without an `Authorization` header.
    func token() async throws -> AccessToken?
    /// Reports that the API answered 401 to `token`, so it must not be handed out again.
    func invalidate(_ token: AccessToken) async
}

/// A provider for endpoints that need no authentication, such as a local emulator.
public struct NoCredentials: AccessTokenProvider {
    /// Creates the provider.
    public init() {}

    /// Always nil: requests go out without an `Authorization` header.
    public func token() async throws -> AccessToken? {
        nil
    }

    /// Nothing to invalidate.
    public func invalidate(_ token: AccessToken) async {}
}
