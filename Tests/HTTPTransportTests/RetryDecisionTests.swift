import TestSupport
import Foundation
import Testing
@testable import HTTPTransport

@Suite("Retry decisions without I/O")
struct RetryDecisionTests {
    let policy = RetryPolicy(maxAttempts: 5, initialBackoff: .seconds(1), maxBackoff: .seconds(10), multiplier: 2)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func googleError(status: Int, reason: String? = nil, apiStatus: String? = nil) -> HTTPResponse {
        var error: [String: Any] = ["code": status, "message": "m"]
        if let reason { error["errors"] = [["reason": reason]] }
        if let apiStatus { error["status"] = apiStatus }
        let body = (try? JSONSerialization.data(withJSONObject: ["error": error])) ?? Data()
        return HTTPResponse(status: status, body: Array(body))
    }

    @Test(arguments: [429, 500, 502, 503, 504])
    func transientStatusesAreRetried(status: Int) {
        #expect(RetryDecision.retryReason(for: HTTPResponse(status: status)) == "HTTP \(status)")
    }

    @Test(arguments: [200, 204, 304, 400, 401, 403, 404, 409, 412, 501])
    func otherStatusesAreNotRetried(status: Int) {
        #expect(RetryDecision.retryReason(for: HTTPResponse(status: status)) == nil)
    }

    @Test func googleReasonsMakeAnyErrorRetryable() {
        #expect(RetryDecision.retryReason(for: googleError(status: 403, reason: "rateLimitExceeded")) == "HTTP 403 rateLimitExceeded")
        #expect(RetryDecision.retryReason(for: googleError(status: 400, reason: "backendError")) == "HTTP 400 backendError")
        #expect(RetryDecision.retryReason(for: googleError(status: 400, apiStatus: "internalError")) == "HTTP 400 internalError")
        #expect(RetryDecision.retryReason(for: googleError(status: 403, reason: "accessDenied")) == nil)
        #expect(RetryDecision.retryReason(for: googleError(status: 404, apiStatus: "NOT_FOUND")) == nil)
        #expect(RetryDecision.retryReason(for: HTTPResponse(status: 403, body: Array("not json".utf8))) == nil)
        #expect(RetryDecision.retryReason(for: googleError(status: 200, reason: "backendError")) == nil)
    }

    @Test func transportErrorsAreRetriedOnlyWhenTransient() {
        let timeout = TransportError(curlCode: 28, curlMessage: "Timeout was reached", method: "GET", url: "http://x/y?q=1")
        let badCert = TransportError(curlCode: 60, curlMessage: "SSL peer certificate", method: "GET", url: "https://x/")
        #expect(RetryDecision.retryReason(for: timeout) == "curl error 28 (Timeout was reached)")
        #expect(RetryDecision.retryReason(for: badCert) == nil)
        #expect(RetryDecision.retryReason(for: CancellationError()) == nil)
        #expect(timeout.url == "http://x/y")
    }

    @Test func backoffGrowsExponentiallyUpToTheCap() {
        let ceilings = (1...6).map { policy.backoffCeiling(forRetry: $0) }
        #expect(ceilings == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(policy.backoff(forRetry: 3, jitter: 0.5) == .seconds(2))
        #expect(policy.backoff(forRetry: 3, jitter: 0) == .zero)
        #expect(policy.backoff(forRetry: 9, jitter: 0.999) <= .seconds(10))
    }

    @Test func decisionUsesJitteredBackoff() {
        let decision = RetryDecision.after(attempt: 2, response: HTTPResponse(status: 503), policy: policy, now: now, jitter: 0.25)
        #expect(decision == .retry(delay: .milliseconds(500), reason: "HTTP 503"))
    }

    @Test func retryAfterSecondsAndDatesAreHonouredAndCapped() {
        let seconds = HTTPResponse(status: 429, headers: [HTTPHeader("retry-after", "3")])
        #expect(RetryDecision.after(attempt: 1, response: seconds, policy: policy, now: now, jitter: 0.9) == .retry(delay: .seconds(3), reason: "HTTP 429"))
        let tooLong = HTTPResponse(status: 503, headers: [HTTPHeader("Retry-After", "120")])
        #expect(RetryDecision.after(attempt: 1, response: tooLong, policy: policy, now: now, jitter: 0.9) == .retry(delay: .seconds(10), reason: "HTTP 503"))
        // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
        let date = HTTPResponse(status: 503, headers: [HTTPHeader("Retry-After", "Tue, 14 Nov 2023 22:13:25 GMT")])
        #expect(RetryDecision.after(attempt: 1, response: date, policy: policy, now: now, jitter: 0.9) == .retry(delay: .seconds(5), reason: "HTTP 503"))
        let past = HTTPResponse(status: 503, headers: [HTTPHeader("Retry-After", "Tue, 14 Nov 2023 22:00:00 GMT")])
        #expect(RetryDecision.after(attempt: 1, response: past, policy: policy, now: now, jitter: 0.9) == .retry(delay: .zero, reason: "HTTP 503"))
        let garbage = HTTPResponse(status: 503, headers: [HTTPHeader("Retry-After", "soon")])
        #expect(RetryDecision.after(attempt: 1, response: garbage, policy: policy, now: now, jitter: 0.5) == .retry(delay: .milliseconds(500), reason: "HTTP 503"))
    }

    @Test func httpDateParsing() {
        #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(RetryAfter.httpDate("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(RetryAfter.httpDate("Sun, 06 Foo 1994 08:49:37 GMT") == nil)
    }

    @Test func lastAttemptStops() {
        #expect(RetryDecision.after(attempt: 5, response: HTTPResponse(status: 503), policy: policy, now: now, jitter: 0.5) == .stop)
        let error = TransportError(curlCode: 7, curlMessage: "Couldn't connect", method: "GET", url: "http://x/")
        #expect(RetryDecision.after(attempt: 5, error: error, policy: policy, jitter: 0.5) == .stop)
        #expect(RetryDecision.after(attempt: 4, error: error, policy: policy, jitter: 0.5) == .retry(delay: .seconds(4), reason: "curl error 7 (Couldn't connect)"))
        #expect(RetryDecision.after(attempt: 1, response: HTTPResponse(status: 503), policy: .none, now: now, jitter: 0.5) == .stop)
    }
}

/// A client that replays scripted outcomes.
final class ScriptedClient: HTTPClient {
    enum Outcome: Sendable {
        case response(Int)
        case failure(TransportError)
    }
    private let outcomes: Recorder<Outcome>
    private let sent = Recorder<String>()
    private let script: [Outcome]

    init(_ script: [Outcome]) {
        self.script = script
        outcomes = Recorder()
    }

    var requestCount: Int { sent.all.count }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = min(sent.all.count, script.count - 1)
        sent.append(request.url)
        switch script[index] {
        case .response(let status):
            return HTTPResponse(status: status)
        case .failure(let error):
            throw error
        }
    }
}

@Suite("RetryingHTTPClient with a scripted client")
struct RetryingScriptedTests {
    static let reset = TransportError(curlCode: 56, curlMessage: "Failure when receiving data from the peer", method: "GET", url: "http://x/")
    static let badCert = TransportError(curlCode: 60, curlMessage: "SSL peer certificate or SSH remote key was not OK", method: "GET", url: "https://x/")

    func client(_ base: ScriptedClient, _ delays: Recorder<Duration>, attempts: Int = 4) -> RetryingHTTPClient {
        RetryingHTTPClient(
            base: base,
            policy: RetryPolicy(maxAttempts: attempts, initialBackoff: .seconds(1), maxBackoff: .seconds(8)),
            sleep: { delays.append($0) },
            onRetry: nil,
            now: { Date(timeIntervalSince1970: 0) },
            jitter: { 1 }
        )
    }

    @Test func retryableErrorsAreRetriedThenRethrown() async throws {
        let base = ScriptedClient([.failure(Self.reset)])
        let delays = Recorder<Duration>()
        let error = try await #require(throws: TransportError.self) {
            _ = try await client(base, delays).send(HTTPRequest(url: "http://x/"))
        }
        #expect(error.curlCode == 56)
        #expect(base.requestCount == 4)
        #expect(delays.all == [.seconds(1), .seconds(2), .seconds(4)])
    }

    @Test func transportErrorThenSuccess() async throws {
        let base = ScriptedClient([.failure(Self.reset), .response(200)])
        let delays = Recorder<Duration>()
        let response = try await client(base, delays).send(HTTPRequest(url: "http://x/"))
        #expect(response.status == 200)
        #expect(base.requestCount == 2)
    }

    @Test func permanentErrorsAreRethrownAtOnce() async throws {
        let base = ScriptedClient([.failure(Self.badCert), .response(200)])
        let delays = Recorder<Duration>()
        await #expect(throws: TransportError.self) {
            _ = try await client(base, delays).send(HTTPRequest(url: "https://x/"))
        }
        #expect(base.requestCount == 1)
        #expect(delays.all.isEmpty)
    }

    @Test func sleepFailureStopsRetrying() async throws {
        let base = ScriptedClient([.response(503)])
        let retrying = RetryingHTTPClient(base: base, policy: RetryPolicy(), sleep: { _ in throw CancellationError() })
        await #expect(throws: CancellationError.self) {
            _ = try await retrying.send(HTTPRequest(url: "http://x/"))
        }
        #expect(base.requestCount == 1)
    }
}
