import TestSupport
import Foundation
import Testing
@testable import HTTPTransport

@Suite("CurlHTTPClient against a local server")
struct CurlHTTPClientTests {
    static let script = LocalServer.fixtures.appendingPathComponent("http_test_server.py")

    @Test func postRoundTripCarriesHeadersAndBody() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let client = CurlHTTPClient()
        let request = HTTPRequest(
            method: "POST",
            url: server.url("/echo?x=1"),
            headers: [HTTPHeader("X-Test", "one two"), HTTPHeader("Content-Type", "text/plain")],
            body: Array("hello body".utf8)
        )
        let response = try await client.send(request)
        #expect(response.status == 200)
        #expect(response.header("x-echo") == "yes")
        #expect(response.header("CONTENT-TYPE") == "application/json")
        let echo = try jsonObject(response.body)
        #expect(echo["method"] as? String == "POST")
        #expect(echo["query"] as? String == "x=1")
        #expect(echo["body"] as? String == "hello body")
        let headers = echo["headers"] as? [String: String] ?? [:]
        #expect(headers["x-test"] == "one two")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["expect"] == nil)
    }

    @Test func getPutAndDeleteUseTheirMethods() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let client = CurlHTTPClient()
        let get = try jsonObject(try await client.send(HTTPRequest(url: server.url("/echo"))).body)
        #expect(get["method"] as? String == "GET")
        #expect(get["body"] as? String == "")
        let put = try jsonObject(try await client.send(HTTPRequest(method: "PUT", url: server.url("/echo"), body: Array("{}".utf8))).body)
        #expect(put["method"] as? String == "PUT")
        #expect(put["body"] as? String == "{}")
        let delete = try jsonObject(try await client.send(HTTPRequest(method: "DELETE", url: server.url("/echo"))).body)
        #expect(delete["method"] as? String == "DELETE")
        let missing = try await client.send(HTTPRequest(url: server.url("/nowhere")))
        #expect(missing.status == 404)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let client = CurlHTTPClient()
        for index in 0..<20 {
            let response = try await client.send(HTTPRequest(url: server.url("/echo?n=\(index)")))
            #expect(response.status == 200)
        }
        let stats = try jsonObject(try await client.send(HTTPRequest(url: server.url("/connections"))).body)
        #expect(stats["connections"] as? Int == 1)
    }

    @Test func gzipBodiesAreDecoded() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let response = try await CurlHTTPClient().send(HTTPRequest(url: server.url("/gzip")))
        #expect(response.header("Content-Encoding") == "gzip")
        #expect(response.bodyText == String(repeating: "compressed hello ", count: 100))
    }

    @Test func requestTimeoutIsARetryableTransportError() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let client = CurlHTTPClient(timeouts: HTTPTimeouts(connect: .seconds(2), request: .milliseconds(500)))
        let started = ContinuousClock.now
        let error = try await #require(throws: TransportError.self) {
            _ = try await client.send(HTTPRequest(url: server.url("/stall?seconds=5&token=secret")))
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(error.curlCode == 28)
        #expect(error.isTimeout)
        #expect(error.isRetryable)
        #expect(error.url == server.url("/stall"))
        #expect(!error.description.contains("secret"))
        #expect(error.description.hasPrefix("GET \(server.url("/stall")) failed: curl error 28"))
    }

    @Test func connectTimeoutIsARetryableTransportError() async throws {
        let server = try await LocalServer(script: Self.script, arguments: ["--blackhole"])
        defer { server.stop() }
        let client = CurlHTTPClient(timeouts: HTTPTimeouts(connect: .milliseconds(500), request: .seconds(10)))
        let started = ContinuousClock.now
        let error = try await #require(throws: TransportError.self) {
            _ = try await client.send(HTTPRequest(url: server.url("/echo")))
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(error.curlCode == 28)
        #expect(error.isRetryable)
        #expect(error.detail.lowercased().contains("connect") || error.detail.lowercased().contains("timed out"))
    }

    @Test func refusedConnectionIsRetryable() async throws {
        let error = try await #require(throws: TransportError.self) {
            _ = try await CurlHTTPClient().send(HTTPRequest(url: "http://127.0.0.1:1/echo"))
        }
        #expect(error.curlCode == 7)
        #expect(error.isRetryable)
    }

    @Test func selfSignedCertificateIsRejected() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let (cert, key) = try TestCertificates.selfSigned("tls", altName: "IP:127.0.0.1", in: directory)

        let server = try await LocalServer(script: Self.script, arguments: ["--tls-cert", cert, "--tls-key", key], directory: directory)
        defer { server.stop() }
        let error = try await #require(throws: TransportError.self) {
            _ = try await CurlHTTPClient().send(HTTPRequest(url: server.url("/echo", scheme: "https")))
        }
        #expect(error.isCertificateProblem)
        #expect(!error.isRetryable)
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let client = CurlHTTPClient()
        // The server stalls for 30 s; a cancelled transfer must end long before that, even on a
        // loaded machine.
        let url = server.url("/stall?seconds=30")
        let started = ContinuousClock.now
        let task = Task { try await client.send(HTTPRequest(url: url)) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) {
            _ = try await task.value
        }
        #expect(ContinuousClock.now - started < .seconds(45))
    }

    @Test func concurrentBlockingTransfersRunInParallel() async throws {
        let server = try await LocalServer(script: Self.script)
        defer { server.stop() }
        let client = CurlHTTPClient()
        let url = server.url("/stall?seconds=2")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try await client.send(HTTPRequest(url: url)).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        // The server counts how many requests were waiting at the same time: all eight, when
        // no transfer waits for another (whatever the machine's load).
        let most = try await client.send(HTTPRequest(url: server.url("/most-stalling")))
        let counts = try JSONSerialization.jsonObject(with: Data(most.body)) as? [String: Int]
        #expect(counts?["most"] == 8)
    }
}
