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

    @Test func eachWaitIsToldBeforeItBeginsWithTheRequestWithoutItsQuery() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let order = Recorder<String>(), waits = Recorder<RetryEvent>()
        let client = RetryingHTTPClient(base: CurlHTTPClient(), policy: RetryPolicy(maxAttempts: 4),
                                        sleep: { order.append("sleep \($0)") }, onRetry: { order.append("retry \($0.attempt)") },
                                        onWait: { waits.append($0); order.append("wait \($0.attempt)") })
        let response = try await client.send(HTTPRequest(url: server.url("/script?id=w&statuses=503,429,200")))
        #expect(response.status == 200)
        #expect(waits.all.map(\.attempt) == [1, 2])
        #expect(waits.all.map(\.reason) == ["HTTP 503", "HTTP 429"])
        #expect(waits.all.allSatisfy { $0.maxAttempts == 4 && $0.request == "GET " + server.url("/script") })
        let steps = order.all.map { $0.hasPrefix("sleep") ? "sleep" : $0 }
        #expect(steps == ["wait 1", "sleep", "retry 1", "wait 2", "sleep", "retry 2"])
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

    /// An endpoint that does not answer, for longer than one request's retries: the requests after
    /// the one that spent them are sent once each, with a note saying why, until an answer comes.
    @Test func anEndpointDownForLongerThanTheRetriesIsTriedOnceByLaterRequests() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let gone = try await LocalServer(script: Self.script)
        let down = gone.url("/script?id=g&statuses=200")
        gone.stop()
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let circuit = OutageCircuit()
        let client = RetryingHTTPClient(base: CurlHTTPClient(), policy: RetryPolicy(maxAttempts: 3),
                                        sleep: { delays.append($0) }, onRetry: { events.append($0) }, circuit: circuit)
        func failure(_ url: String) async -> TransportError? {
            do { _ = try await client.send(HTTPRequest(url: url)); return nil } catch { return error as? TransportError }
        }
        let first = await failure(down)
        #expect(first?.curlCode == 7 && first?.note == "", "\(String(describing: first))")
        #expect(delays.all.count == 2, "the first request spends the whole budget")
        #expect(circuit.openedAfter == 3)
        for _ in 0..<3 {
            let later = await failure(down)
            #expect(later?.curlCode == 7)
            #expect(later?.description.hasSuffix(
                "; sent once, not retried: an earlier request found the endpoint unreachable after 3 attempts") == true,
                    "\(String(describing: later))")
        }
        #expect(delays.all.count == 2, "no retry while the endpoint stays down")

        // An answer, even one to be retried, closes the circuit: that request and the later ones get every attempt.
        let answered = try await client.send(HTTPRequest(url: server.url("/script?id=h&statuses=503,200")))
        #expect(answered.status == 200)
        #expect(circuit.openedAfter == nil)
        #expect(delays.all.count == 3)
        let again = await failure(down)
        #expect(again?.note == "")
        #expect(delays.all.count == 5)
    }

    /// A request waiting to retry when another finds the endpoint down is not sent again, and its
    /// wait is not counted as a retry.
    @Test func aRequestWaitingToRetryStopsWhenAnotherFindsTheEndpointDown() async throws {
        let gone = try await LocalServer(script: Self.script)
        let down = gone.url("/script?id=j&statuses=200")
        gone.stop()
        let events = Recorder<RetryEvent>()
        let circuit = OutageCircuit()
        let client = RetryingHTTPClient(base: CurlHTTPClient(), policy: RetryPolicy(maxAttempts: 5),
                                        sleep: { _ in circuit.open(after: 5) }, onRetry: { events.append($0) }, circuit: circuit)
        do {
            _ = try await client.send(HTTPRequest(url: down))
            Issue.record("a closed port answered")
        } catch let error as TransportError {
            #expect(error.description.hasSuffix(
                "; sent once, not retried: an earlier request found the endpoint unreachable after 5 attempts"), "\(error)")
        }
        #expect(events.all.isEmpty)
    }

    @Test func withoutACircuitEveryRequestSpendsTheWholeBudget() async throws {
        let gone = try await LocalServer(script: Self.script)
        let down = gone.url("/script?id=i&statuses=200")
        gone.stop()
        let delays = Recorder<Duration>(), events = Recorder<RetryEvent>()
        let client = Self.client(delays, events, policy: RetryPolicy(maxAttempts: 3))
        for _ in 0..<2 {
            await #expect(throws: TransportError.self) { try await client.send(HTTPRequest(url: down)) }
        }
        #expect(delays.all.count == 4)
    }
}
