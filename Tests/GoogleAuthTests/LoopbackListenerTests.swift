import Foundation
import HTTPTransport
import Testing
@testable import GoogleAuth

/// The sign-in's loopback listener against requests it cannot use: each gets an error page naming
/// why, the listener keeps waiting, and the real redirect still signs in.
@Suite("Loopback listener")
struct LoopbackListenerTests {
    func get(_ url: String, method: String = "GET") async throws -> (status: Int, text: String, type: String?) {
        let response = try await CurlHTTPClient().send(HTTPRequest(method: method, url: url))
        return (response.status, response.bodyText, response.headers.first(named: "content-type"))
    }

    @Test func hostileRequestsGetAnErrorPageAndTheRedirectStillArrives() async throws {
        let listener = try await LoopbackListener()
        #expect(listener.redirectURI == "http://127.0.0.1:\(listener.port)/")
        // Generous: the whole suite runs at once, and a loaded machine must not end the wait early.
        async let received = listener.receive(timeout: .seconds(600)) { parameters in
            "<p>signed in with \(parameters["code"] ?? "")</p>"
        }
        let base = listener.redirectURI

        let post = try await get(base + "?code=c&state=s", method: "POST")
        #expect(post.status == 405)
        #expect(post.text.contains("Only GET requests"))
        #expect(post.type == "text/html; charset=utf-8")

        for malformed in ["?code=%zz&state=s", "?code=c%&state=s", "?code=%E&state=s", "?code=%FF&state=s", "?co%de=c&state=s"] {
            let answer = try await get(base + malformed)
            #expect(answer.status == 400, "\(malformed)")
            #expect(answer.text.contains("not a correctly percent-encoded query string"), "\(malformed): \(answer.text)")
        }

        for repeated in ["?code=a&code=b&state=s", "?code=a&state=s&state=t", "?error=x&error=y"] {
            let answer = try await get(base + repeated)
            #expect(answer.status == 400, "\(repeated)")
            #expect(answer.text.contains("a query parameter appears more than once"), "\(repeated): \(answer.text)")
        }

        // Over the limit, with a code inside the limit: not taken.
        let huge = try await get(base + "?code=early&state=s&padding=" + String(repeating: "x", count: 20_000))
        #expect(huge.status == 414)
        #expect(huge.text.contains("longer than 16384 bytes"))
        let enormous = try await get(base + "?code=early&state=s&padding=" + String(repeating: "y", count: 1_000_000))
        #expect([414, 431, 400].contains(enormous.status), "status \(enormous.status)")

        let favicon = try await get(base + "favicon.ico")
        #expect(favicon.status == 404)

        let redirect = try await get(base + "?code=4%2F0Ab&state=s%20t&scope=a+b")
        #expect(redirect.status == 200)
        #expect(redirect.text == "<p>signed in with 4/0Ab</p>")
        #expect(try await received == ["code": "4/0Ab", "state": "s t", "scope": "a+b"])

        // One code only: the listener has stopped.
        await #expect(throws: (any Error).self) { _ = try await get(base + "?code=second&state=s") }
    }

    @Test func noRedirectInTimeIsAnErrorAndFreesThePort() async throws {
        let listener = try await LoopbackListener()
        let failure = try await #require(throws: LoopbackListener.Failure.self) {
            _ = try await listener.receive(timeout: .milliseconds(300)) { _ in "" }
        }
        #expect(failure.description == "no redirect arrived at \(listener.redirectURI) in time")
        let again = try await LoopbackListener(port: listener.port)
        #expect(again.port == listener.port)
        await again.close()
    }

    @Test func aBusyPortIsAnError() async throws {
        let first = try await LoopbackListener()
        let failure = try await #require(throws: LoopbackListener.Failure.self) {
            _ = try await LoopbackListener(port: first.port)
        }
        #expect(failure.description.hasPrefix("cannot listen on 127.0.0.1:\(first.port)"))
        await first.close()
    }

    @Test func queryParametersAreDecodedOnceEach() {
        #expect(LoopbackListener.queryParameters("code=a%20b&state=") == .success(["code": "a b", "state": ""]))
        #expect(LoopbackListener.queryParameters(nil) == .success([:]))
        #expect(LoopbackListener.queryParameters("a=%G1") == .failure(.malformed))
        #expect(LoopbackListener.queryParameters("a=1&a=1") == .failure(.repeated))
    }
}
