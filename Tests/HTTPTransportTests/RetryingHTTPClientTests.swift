import TestSupport
import Foundation
import Testing
@testable import HTTPTransport

@Suite("RetryingHTTPClient against a local server")
struct RetryingHTTPClientTests {
    static let script = LocalServer.fixtures.appendingPathComponent("http_test_server.py")

    /// A retrying client over curl that records its sleeps and never waits.
    static func client(_ delays: Recorder<Duration>, _ events: Recorder<RetryEvent>, policy: RetryPolicy = RetryPolicy()) -> RetryingHTTPClient {
        RetryingHTTPClient(
            base: CurlHTTPClient(),
            policy: policy,
            sleep: { delays.append($0) },
            onRetry: { events.append($0) }
        )
    }

    func hits(_ server: LocalServer, _ id: String) async throws -> Int {
        let body = try await CurlHTTPClient().send(HTTPRequest(url: server.url("/hits?id=\(id)"))).body
        return try jsonObject(body)["hits"] as? Int ?? -1
    }

    @Test func twoUnavailableAnswersThenSuccess() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let response = try await Self.client(delays, events).send(HTTPRequest(url: server.url("/script?id=a&statuses=503,503,200")))
        #expect(response.status == 200)
        #expect(delays.all.count == 2)
        #expect(delays.all[0] <= .seconds(1))
        #expect(delays.all[1] <= .seconds(2))
        #expect(events.all.map(\.attempt) == [1, 2])
        #expect(events.all.map(\.reason) == ["HTTP 503", "HTTP 503"])
        #expect(try await hits(server, "a") == 3)
    }

    @Test func retryAfterSecondsIsTheDelay() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let response = try await Self.client(delays, events).send(HTTPRequest(url: server.url("/script?id=b&statuses=429,200&retry_after=2")))
        #expect(response.status == 200)
        #expect(delays.all == [.seconds(2)])
        #expect(events.all.first?.reason == "HTTP 429")
    }

    @Test func badRequestIsNotRetried() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let response = try await Self.client(delays, events).send(HTTPRequest(url: server.url("/script?id=c&statuses=400,200")))
        #expect(response.status == 400)
        #expect(delays.all.isEmpty)
        #expect(try await hits(server, "c") == 1)
    }

    @Test func forbiddenRateLimitExceededIsRetried() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let url = server.url("/script?id=d&statuses=403,200&reason=rateLimitExceeded")
        let response = try await Self.client(delays, events).send(HTTPRequest(url: url))
        #expect(response.status == 200)
        #expect(events.all.map(\.reason) == ["HTTP 403 rateLimitExceeded"])
        #expect(try await hits(server, "d") == 2)
    }

    @Test func forbiddenWithOtherReasonIsNotRetried() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let url = server.url("/script?id=e&statuses=403,200&reason=accessDenied")
        let response = try await Self.client(delays, events).send(HTTPRequest(url: url))
        #expect(response.status == 403)
        #expect(events.all.isEmpty)
    }

    @Test func lastResponseIsReturnedWhenAttemptsRunOut() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let client = Self.client(delays, events, policy: RetryPolicy(maxAttempts: 3))
        let response = try await client.send(HTTPRequest(url: server.url("/script?id=f&statuses=500")))
        #expect(response.status == 500)
        #expect(delays.all.count == 2)
        #expect(try await hits(server, "f") == 3)
    }
}
