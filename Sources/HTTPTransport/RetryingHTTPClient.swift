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
    private let onWait: (@Sendable (RetryEvent) -> Void)?
    private let now: @Sendable () -> Date
    private let jitter: @Sendable () -> Double
    private let circuit: OutageCircuit?

    /// Creates a retrying client; `sleep` waits between attempts, `onWait` is told of each retry
    /// before the wait and `onRetry` after it, as the request is sent again.
    public init(
        base: any HTTPClient,
        policy: RetryPolicy,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        onRetry: (@Sendable (RetryEvent) -> Void)? = nil,
        onWait: (@Sendable (RetryEvent) -> Void)? = nil,
        circuit: OutageCircuit? = nil
    ) {
        self.init(base: base, policy: policy, sleep: sleep, onRetry: onRetry, onWait: onWait, now: { Date() },
                  jitter: { Double.random(in: 0..<1) }, circuit: circuit)
    }

    /// Creates a retrying client with an explicit clock (for `Retry-After` dates) and jitter source (values in 0..<1).
    public init(
        base: any HTTPClient,
        policy: RetryPolicy,
        sleep: @escaping @Sendable (Duration) async throws -> Void,
        onRetry: (@Sendable (RetryEvent) -> Void)?,
        onWait: (@Sendable (RetryEvent) -> Void)? = nil,
        now: @escaping @Sendable () -> Date,
        jitter: @escaping @Sendable () -> Double,
        circuit: OutageCircuit? = nil
    ) {
        self.base = base
        self.policy = policy
        self.sleep = sleep
        self.onRetry = onRetry
        self.onWait = onWait
        self.now = now
        self.jitter = jitter
        self.circuit = circuit
    }

    /// Sends `request`, retrying as the policy allows; while the ``OutageCircuit`` is open, a
    /// failure to get an answer is not retried.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 1
        while true {
            let delay: Duration
            let reason: String
            // The failure to get an answer that this retry follows, if it was one.
            var unanswered: TransportError?
            do {
                let response = try await base.send(request)
                circuit?.close()
                let decision = RetryDecision.after(attempt: attempt, response: response, policy: policy, now: now(), jitter: jitter())
                guard case .retry(let wait, let why) = decision else {
                    return response
                }
                (delay, reason) = (wait, why)
            } catch {
                let openedAfter = circuit?.openedAfter
                var policy = self.policy
                if openedAfter != nil { policy.maxAttempts = 1 }
                let decision = RetryDecision.after(attempt: attempt, error: error, policy: policy, jitter: jitter())
                guard case .retry(let wait, let why) = decision else {
                    guard var failure = error as? TransportError, failure.isRetryable else { throw error }
                    // No answer after the last attempt: the far end is down, and the requests after
                    // this one are not retried until it answers again.
                    if let openedAfter, attempt < self.policy.maxAttempts {
                        failure.note = OutageCircuit.note(sent: attempt, openedAfter: openedAfter)
                    } else {
                        circuit?.open(after: attempt)
                    }
                    throw failure
                }
                (delay, reason) = (wait, why)
                unanswered = error as? TransportError
            }
            let event = RetryEvent(attempt: attempt, delay: delay, reason: reason, maxAttempts: policy.maxAttempts,
                                   request: request.method + " " + request.redactedURL)
            onWait?(event)
            try await sleep(delay)
            if var failure = unanswered, let openedAfter = circuit?.openedAfter {
                // Another request found the endpoint down while this one waited: not sent again.
                failure.note = OutageCircuit.note(sent: attempt, openedAfter: openedAfter)
                throw failure
            }
            onRetry?(event)
            attempt += 1
        }
    }
}
