import TestSupport
import Foundation
import HTTPTransport
import Synchronization
import Testing
@testable import GoogleAuth

/// A provider that always hands out the same token and counts invalidations.
final class FixedTokenProvider: AccessTokenProvider {
    let fixed: AccessToken
    let invalidations = Mutex(0)

    init(_ value: String) {
        fixed = AccessToken(value: value, expiresAt: .distantFuture)
    }

    func token() async throws -> AccessToken? { fixed }

    func invalidate(_ token: AccessToken) async {
        invalidations.withLock { $0 += 1 }
    }
}

/// A client that records requests and answers with a fixed status.
final class RecordingClient: HTTPClient {
    let requests = Recorder<HTTPRequest>()
    let status: Int

    init(status: Int) {
        self.status = status
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.append(request)
        return HTTPResponse(status: status)
    }
}

@Suite("AuthorizedHTTPClient")
struct AuthorizedHTTPClientTests {
    @Test func refreshesOnceAfterRevocation() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let provider = JWTBearerTokenProvider(
            key: try ServiceAccountKey.load(path: fixture.keyFile),
            scopes: ["https://www.googleapis.com/auth/bigquery"],
            http: CurlHTTPClient()
        )
        let client = AuthorizedHTTPClient(base: CurlHTTPClient(), tokens: provider)
        let check = HTTPRequest(url: fixture.server.url("/check"))
        #expect(try await client.send(check).status == 200)
        #expect(try await fixture.stats()["tokens_issued"] == 1)

        try await fixture.revokeAll()
        #expect(try await client.send(check).status == 200)
        let stats = try await fixture.stats()
        #expect(stats["tokens_issued"] == 2)
        #expect(stats["checks"] == 3)  // 200, then 401 once, then 200 with the fresh token
    }

    @Test func secondUnauthorizedIsReturnedAsIs() async throws {
        let base = RecordingClient(status: 401)
        let tokens = FixedTokenProvider("stale")
        let response = try await AuthorizedHTTPClient(base: base, tokens: tokens).send(HTTPRequest(url: "http://x/"))
        #expect(response.status == 401)
        #expect(base.requests.all.count == 2)
        #expect(tokens.invalidations.withLock { $0 } == 1)
        #expect(base.requests.all.allSatisfy { $0.headers.first(named: "authorization") == "Bearer stale" })
    }

    @Test func replacesAnExistingAuthorizationHeader() async throws {
        let base = RecordingClient(status: 200)
        let request = HTTPRequest(url: "http://x/", headers: [HTTPHeader("authorization", "Basic old"), HTTPHeader("X-Keep", "1")])
        _ = try await AuthorizedHTTPClient(base: base, tokens: FixedTokenProvider("t1")).send(request)
        let sent = try #require(base.requests.all.first)
        #expect(sent.headers == [HTTPHeader("X-Keep", "1"), HTTPHeader("Authorization", "Bearer t1")])
    }

    @Test func noCredentialsSendsNoAuthorization() async throws {
        let base = RecordingClient(status: 401)
        let response = try await AuthorizedHTTPClient(base: base, tokens: NoCredentials()).send(HTTPRequest(url: "http://x/"))
        #expect(response.status == 401)
        #expect(base.requests.all.count == 1)
        #expect(base.requests.all.first?.headers.isEmpty == true)
    }
}
