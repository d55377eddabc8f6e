import Foundation

/// An ``HTTPClient`` that retries transient failures of another client with exponential backoff.
///
/// Retries retryable ``TransportError``s, HTTP 429, 500, 502, 503, 504, and Google API errors
/// whose reason is `backendError`, `rateLimitExceeded` or `internalError` (BigQuery sends
/// `rateLimitExceeded` with 403). Other 4xx are returned at once. After the last attempt the
/// last response is returned, or the last error rethrown.
public struct RetryingHTTPClient: HTTPClient {
    private let base: any HTTPClient
    private let policy: RetryPolicy
    private let sleep: @Sendable (Duration) async throws -> Void
    private let onRetry: (@Sendable (RetryEvent) -> Void)?
    private let now: @Sendable () -> Date
    private let jitter: @Sendable () -> Double

    /// Creates a retrying client; `sleep` waits between attempts and `onRetry` observes each retry.
    public init(
        base: any HTTPClient,
        policy: RetryPolicy,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        onRetry: (@Sendable (RetryEvent) -> Void)? = nil
    ) {
        self.init(base: base, policy: policy, sleep: sleep, onRetry: onRetry, now: { Date() }, jitter: { Double.random(in: 0..<1) })
    }

    /// Creates a retrying client with an explicit clock (for `Retry-After` dates) and jitter source (values in 0..<1).
    public init(
        base: any HTTPClient,
        policy: RetryPolicy,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        onRetry: (@Sendable (RetryEvent) -> Void)?,
        now: @escaping @Sendable () -> Date,
        jitter: @escaping @Sendable () -> Double
    ) {
        self.base = base
        self.policy = policy
        self.sleep = sleep
        self.onRetry = onRetry
        self.now = now
        self.jitter = jitter
    }

    /// Sends `request`, retrying as the policy allows.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            let delay: Duration
            let reason: String
            do {
                let response = try await base.send(request)
                let decision = RetryDecision.after(attempt: attempt, response: response, policy: policy, now: now(), jitter: jitter())
                guard case .retry(let wait, let why) = decision else {
                    return response
                }
                (delay, reason) = (wait, why)
            } catch {
                let decision = RetryDecision.after(attempt: attempt, error: error, policy: policy, jitter: jitter())
                guard case .retry(let wait, let why) = decision else {
                    throw error
                }
                (delay, reason) = (wait, why)
            }
            onRetry?(RetryEvent(attempt: attempt, delay: delay, reason: reason))
            try await sleep(delay)
            attempt += 1
        }
    }
}
