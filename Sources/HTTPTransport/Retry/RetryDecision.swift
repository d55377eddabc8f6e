import Foundation

/// What to do after an attempt: wait and retry, or stop and hand the outcome to the caller.
///
/// Computed from plain values (attempt number, outcome, clock, jitter), so it can be tested without I/O.
public enum RetryDecision: Sendable, Equatable {
    /// Wait `delay`, then send the request again.
    case retry(delay: Duration, reason: String)
    /// Return the response, or rethrow the error.
    case stop

    /// Statuses that are retried whatever their body says.
    static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]
    /// Google API error reasons and statuses that mean "try again later", whatever the HTTP status.
    static let retryableReasons: Set<String> = ["backendError", "rateLimitExceeded", "internalError"]

    /// Why `response` deserves a retry (such as "HTTP 503" or "HTTP 403 rateLimitExceeded"), or nil.
    public static func retryReason(for response: HTTPResponse) -> String? {
        guard response.status >= 400 else {
            return nil
        }
        if let reason = googleErrorReason(in: response.body) {
            return "HTTP \(response.status) \(reason)"
        }
        if retryableStatuses.contains(response.status) {
            return "HTTP \(response.status)"
        }
        return nil
    }

    /// Why `error` deserves a retry (a retryable ``TransportError``), or nil.
    public static func retryReason(for error: any Error) -> String? {
        guard let transport = error as? TransportError, transport.isRetryable else {
            return nil
        }
        return "curl error \(transport.curlCode) (\(transport.curlMessage))"
    }

    /// The decision after attempt number `attempt` (1-based) answered with `response`.
    ///
    /// A `Retry-After` header (seconds or HTTP-date, relative to `now`) replaces the jittered
    /// backoff; every delay is capped at the policy's `maxBackoff`.
    public static func after(attempt: Int, response: HTTPResponse, policy: RetryPolicy, now: Date, jitter: Double) -> RetryDecision {
        guard attempt < policy.maxAttempts, let reason = retryReason(for: response) else {
            return .stop
        }
        if let value = response.header("Retry-After"), let wait = RetryAfter.delay(from: value, now: now) {
            return .retry(delay: policy.capped(wait), reason: reason)
        }
        return .retry(delay: policy.backoff(forRetry: attempt, jitter: jitter), reason: reason)
    }

    /// The decision after attempt number `attempt` (1-based) failed with `error`.
    public static func after(attempt: Int, error: any Error, policy: RetryPolicy, jitter: Double) -> RetryDecision {
        guard attempt < policy.maxAttempts, let reason = retryReason(for: error) else {
            return .stop
        }
        return .retry(delay: policy.backoff(forRetry: attempt, jitter: jitter), reason: reason)
    }

    /// The first retryable `error.errors[].reason` or `error.status` in a Google API JSON error body.
    static func googleErrorReason(in body: [UInt8]) -> String? {
        guard body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{"),
              let envelope = try? JSONDecoder().decode(GoogleErrorEnvelope.self, from: Data(body))
        else {
            return nil
        }
        let candidates = (envelope.error.errors ?? []).compactMap(\.reason) + [envelope.error.status].compactMap { $0 }
        return candidates.first { retryableReasons.contains($0) }
    }
}

/// The part of a Google API error body that drives retries.
private struct GoogleErrorEnvelope: Decodable {
    struct Detail: Decodable {
        var reason: String?
    }
    struct Body: Decodable {
        var status: String?
        var errors: [Detail]?
    }
    var error: Body
}
