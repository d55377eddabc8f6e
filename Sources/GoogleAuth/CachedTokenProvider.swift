import Foundation

/// Hands out the access tokens of a ``TokenGrant``, cached until shortly before they expire.
///
/// Tokens are refreshed when within ``refreshMargin`` of expiry; concurrent callers share one
/// in-flight refresh, and a failed refresh is not cached (the next call tries again).
public actor CachedTokenProvider: AccessTokenProvider {
    /// How long before expiry a token is refreshed.
    public static let refreshMargin: TimeInterval = 300

    /// The grant that produces the tokens.
    public nonisolated let grant: any TokenGrant
    private let now: @Sendable () -> Date
    private var cached: AccessToken?
    private var refreshing: Task<AccessToken, any Error>?

    /// Creates a provider over `grant`; `now` is the clock (injectable for tests).
    public init(grant: any TokenGrant, now: @escaping @Sendable () -> Date = { Date() }) {
        self.grant = grant
        self.now = now
    }

    /// A cached token with more than five minutes left, or a fresh one.
    public func token() async throws -> AccessToken? {
        if let cached, cached.isValid(at: now(), margin: Self.refreshMargin) {
            return cached
        }
        if let refreshing {
            return try await refreshing.value
        }
        let grant = grant
        let issuedAt = now()
        let task = Task { try await grant.requestToken(now: issuedAt) }
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
}
