/// How often and how patiently a request is retried: attempts and exponential backoff with full jitter.
public struct RetryPolicy: Sendable {
    /// The total number of attempts, the first one included (1 means no retry).
    public var maxAttempts: Int
    /// The backoff ceiling before the first retry.
    public var initialBackoff: Duration
    /// The largest delay ever waited, `Retry-After` included.
    public var maxBackoff: Duration
    /// The factor by which the backoff ceiling grows after each retry.
    public var multiplier: Double

    /// Creates a policy.
    public init(maxAttempts: Int = 8, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(32), multiplier: Double = 2) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.multiplier = multiplier
    }

    /// A policy that never retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The upper bound of the delay before retry number `retry` (1-based):
    /// `initialBackoff * multiplier^(retry-1)`, capped at `maxBackoff`.
    public func backoffCeiling(forRetry retry: Int) -> Duration {
        let cap = maxBackoff.seconds
        var ceiling = initialBackoff.seconds
        var step = 1
        while step < retry, ceiling < cap {
            ceiling *= max(multiplier, 1)
            step += 1
        }
        return .seconds(max(0, min(ceiling, cap)))
    }

    /// The delay before retry number `retry` with full jitter: `jitter` (in 0..<1) times the ceiling.
    public func backoff(forRetry retry: Int, jitter: Double) -> Duration {
        let fraction = min(max(jitter, 0), 1)
        return .seconds(backoffCeiling(forRetry: retry).seconds * fraction)
    }

    /// `delay` limited to `0...maxBackoff`.
    func capped(_ delay: Duration) -> Duration {
        if delay < .zero {
            return .zero
        }
        return min(delay, maxBackoff)
    }
}

/// One retry about to happen, reported to ``RetryingHTTPClient``'s `onWait` and `onRetry` observers.
public struct RetryEvent: Sendable {
    /// The attempt that just failed (1-based); the retry is attempt `attempt + 1`.
    public var attempt: Int
    /// How long the client waits before the retry.
    public var delay: Duration
    /// Why the attempt failed, such as "HTTP 503" or "HTTP 403 rateLimitExceeded".
    public var reason: String
    /// All the attempts the policy allows, the first one included (0: not told).
    public var maxAttempts: Int
    /// The request's method and URL without its query (``HTTPRequest/redactedURL``), such as
    /// `GET https://…/tables/orders`; empty when not told.
    public var request: String

    /// Creates an event.
    public init(attempt: Int, delay: Duration, reason: String, maxAttempts: Int = 0, request: String = "") {
        self.attempt = attempt
        self.delay = delay
        self.reason = reason
        self.maxAttempts = maxAttempts
        self.request = request
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
