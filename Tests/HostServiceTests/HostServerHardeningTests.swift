import Foundation
import HostService
import Testing

/// Requests meant to probe or tie up the host: they get a clear 4xx and never tell an
/// unauthenticated caller anything.
@Suite(.serialized) struct HostServerHardeningTests {
    let bearer = HostConfiguration(authentication: .bearer(token: "t0ken-secret"), maxBodyBytes: 1_000)
    let auth = ["Authorization": "Bearer t0ken-secret"]

    @Test func unauthenticatedRequestsGet401OnEveryPath() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let paths = [("/echo", "POST"), ("/echo", "GET"), ("/no-such-listener", "POST"), ("/", "GET"),
                         ("/api/nothing", "GET"), ("/api/executions/x/documents/0", "DELETE"), ("/%2e%2e/etc", "GET")]
            for (path, method) in paths {
                let answer = try await TestHost.request(base + path, method: method, body: "x")
                #expect(answer.status == 401, "\(method) \(path): \(answer.status) \(answer.body)")
                #expect(answer.headers["www-authenticate"] == "Bearer realm=\"conveyor\"")
                #expect(!answer.body.contains("no-such-listener"))
            }
            // Authenticated, a path nothing serves is 404.
            #expect(try await TestHost.request(base + "/no-such-listener", method: "POST", headers: auth).status == 404)
        }
    }

    @Test func chunkedBodyOverTheLimitGets413() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let chunked = auth.merging(["Transfer-Encoding": "chunked"]) { $1 }
            let big = try await TestHost.request(base + "/echo", method: "POST", body: String(repeating: "x", count: 5_000),
                                                 headers: chunked)
            #expect(big.status == 413, "\(big.status) \(big.body)")
            #expect(big.body.contains("larger than the limit of 1000 bytes"))
            let fits = try await TestHost.request(base + "/echo", method: "POST", body: "small", headers: chunked)
            #expect(fits.status == 200)
            #expect(fits.body == "small")
        }
    }

    @Test func badLimitsAndFiltersGet400OnEveryRoute() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            let bad = ["/api/executions?limit=0", "/api/executions?limit=-1", "/api/executions?limit=abc",
                       "/api/executions?limit=10001", "/api/executions?limit=99999999999999999999",
                       "/api/executions?trigger=nope", "/api/executions?status=nope", "/api/executions?from=yesterday",
                       "/api/executions?to=2026-13-40", "/api/executions?stauts=ERROR",
                       "/api/tracked?field=orderId&value=1", "/api/tracked?field=orderId",
                       "/api/executions/ex-nothing/documents/-1", "/api/executions/ex-nothing/documents/x"]
            for path in bad {
                let answer = try await TestHost.request(base + path, headers: auth)
                #expect(answer.status == 400, "\(path): \(answer.status) \(answer.body)")
                #expect(answer.body.hasPrefix(#"{"error":"#), "\(path): \(answer.body)")
            }
            let trigger = try await TestHost.request(base + "/api/processes/plain/executions?wait=maybe",
                                                     method: "POST", headers: auth)
            #expect(trigger.status == 400, "\(trigger.body)")
            let limited = try await TestHost.request(base + "/api/executions?limit=10000&trigger=listener", headers: auth)
            #expect(limited.status == 200)
        }
    }

    @Test func ambiguousIDPrefixGets400WithoutServerPaths() async throws {
        try await TestHost.withServer(bearer) { base, _ in
            for _ in 0..<2 {
                _ = try await TestHost.request(base + "/api/processes/plain/executions", method: "POST", headers: auth)
            }
            let list = try await TestHost.request(base + "/api/executions", headers: auth)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])
            let ids = try #require((json["executions"] as? [[String: Any]])?.compactMap { $0["id"] as? String })
            #expect(ids.count == 2)
            let common = String(zip(ids[0], ids[1]).prefix { $0 == $1 }.map(\.0))
            #expect(common.count >= 8)
            for path in ["/api/executions/\(common)", "/api/executions/\(common)/documents/0"] {
                let answer = try await TestHost.request(base + path, headers: auth)
                #expect(answer.status == 400, "\(path): \(answer.status) \(answer.body)")
                #expect(answer.body.contains("matches several executions"), "\(answer.body)")
                #expect(!answer.body.contains(NSTemporaryDirectory()) && !answer.body.contains(".sqlite"), "\(answer.body)")
            }
        }
    }

    @Test func idleAndHalfOpenConnectionsAreClosed() async throws {
        var configuration = bearer
        configuration.idleTimeout = .milliseconds(300)
        try await TestHost.withServer(configuration) { base, _ in
            let port = try #require(Int(base.split(separator: ":").last ?? ""))
            for sent in ["", "POST /echo HTTP/1.1\r\nHost: x\r\n", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"] {
                let clock = ContinuousClock()
                let start = clock.now
                let closed = try Self.waitsForClose(port: port, sending: sent, limitSeconds: 10)
                #expect(closed, "the host kept a connection that sent \(sent.debugDescription)")
                #expect(clock.now - start < .seconds(5), "\(clock.now - start)")
            }
            // The host still answers.
            #expect(try await TestHost.request(base + "/echo", method: "POST", body: "x", headers: auth).status == 200)
        }
    }

    /// Connects, sends `text`, then waits (up to `limitSeconds`) for the host to close the connection.
    static func waitsForClose(port: Int, sending text: String, limitSeconds: Int) throws -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        var timeout = timeval(tv_sec: limitSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if !text.isEmpty { _ = Array(text.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) } }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }
}
