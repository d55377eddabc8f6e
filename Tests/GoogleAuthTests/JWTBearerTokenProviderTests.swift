import Foundation
import HTTPTransport
import Testing
@testable import GoogleAuth

@Suite("JWT bearer tokens from the local token server")
struct JWTBearerTokenProviderTests {
    static let scopes = ["https://www.googleapis.com/auth/bigquery"]

    func check(_ fixture: TokenServerFixture, _ token: AccessToken) async throws -> Int {
        let request = HTTPRequest(url: fixture.server.url("/check"), headers: [HTTPHeader("Authorization", "Bearer \(token.value)")])
        return try await CurlHTTPClient().send(request).status
    }

    @Test(arguments: [false, true])
    func obtainsATokenTheServerAccepts(pkcs1: Bool) async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        var key = try ServiceAccountKey.load(path: fixture.keyFile)
        if pkcs1 {
            let converted = try TokenServerFixture.pkcs1(from: fixture.directory.appendingPathComponent("sa-private.pem").path)
            key.privateKeyPEM = try String(contentsOfFile: converted, encoding: .utf8)
        }
        let provider = JWTBearerTokenProvider(key: key, scopes: Self.scopes, http: CurlHTTPClient())
        #expect(provider.tokenURL == fixture.tokenURL)
        let token = try #require(try await provider.token())
        #expect(token.expiresAt.timeIntervalSinceNow > 3500)
        #expect(try await check(fixture, token) == 200)
        #expect(try await check(fixture, AccessToken(value: "forged", expiresAt: .distantFuture)) == 401)
        let again = try await provider.token()
        #expect(again?.value == token.value)
        #expect(try await fixture.stats()["tokens_issued"] == 1)
    }

    @Test func assertionSignedWithAnotherKeyIsRejected() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        var key = try ServiceAccountKey.load(path: fixture.keyFile)
        let other = try TokenServerFixture.generateKey(in: fixture.directory, name: "other")
        key.privateKeyPEM = try String(contentsOfFile: other, encoding: .utf8)
        let provider = JWTBearerTokenProvider(key: key, scopes: Self.scopes, http: CurlHTTPClient())
        let error = try await #require(throws: AuthError.self) { _ = try await provider.token() }
        #expect(error.kind == .tokenEndpoint)
        #expect(error.status == 400)
        #expect(error.oauthError == "invalid_grant")
        #expect(error.description.hasPrefix("token request to \(fixture.tokenURL) failed with HTTP 400: invalid_grant ("))
        #expect(!error.description.contains("eyJ"))  // no JWT in the message
        #expect(try await fixture.stats()["assertions_rejected"] == 1)
    }

    @Test func tamperedClaimsAreRejected() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let key = try ServiceAccountKey.load(path: fixture.keyFile)
        let valid = try JWTAssertion(key: key, scopes: Self.scopes, audience: fixture.tokenURL)
            .signed(now: Date(), signer: RSASigner(pem: key.privateKeyPEM))
        var parts = valid.split(separator: ".").map(String.init)
        var claims = JWTAssertion(key: key, scopes: ["https://www.googleapis.com/auth/cloud-platform"], audience: fixture.tokenURL).claims(now: Date())
        claims["iss"] = key.clientEmail
        parts[1] = try JWTAssertion.encodeSegment(claims)
        let endpoint = TokenEndpoint(url: fixture.tokenURL, http: CurlHTTPClient())
        let grant = JWTBearerTokenProvider.grantType
        let tampered = try await #require(throws: AuthError.self) {
            _ = try await endpoint.requestToken([("grant_type", grant), ("assertion", parts.joined(separator: "."))], now: Date())
        }
        #expect(tampered.oauthError == "invalid_grant")
        #expect(tampered.oauthErrorDescription?.contains("Signature verification failed") == true)

        // A correctly signed assertion for another issuer, or with too long a lifetime, is refused too.
        var stranger = key
        stranger.clientEmail = "someone-else@conveyor-test.iam.gserviceaccount.com"
        let wrongIssuer = JWTBearerTokenProvider(key: stranger, scopes: Self.scopes, http: CurlHTTPClient())
        let issuerError = try await #require(throws: AuthError.self) { _ = try await wrongIssuer.token() }
        #expect(issuerError.oauthError == "invalid_grant")

        var long = JWTAssertion(key: key, scopes: Self.scopes, audience: fixture.tokenURL)
        long.lifetime = 7200
        let longJWT = try long.signed(now: Date(), signer: RSASigner(pem: key.privateKeyPEM))
        let lifetimeError = try await #require(throws: AuthError.self) {
            _ = try await endpoint.requestToken([("grant_type", grant), ("assertion", longJWT)], now: Date())
        }
        #expect(lifetimeError.oauthError == "invalid_grant")
        #expect(try await fixture.stats()["tokens_issued"] == 0)
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let provider = JWTBearerTokenProvider(key: try ServiceAccountKey.load(path: fixture.keyFile), scopes: Self.scopes, http: CurlHTTPClient())
        let values = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<10 {
                group.addTask { try await provider.token()?.value }
            }
            var values: [String?] = []
            for try await value in group {
                values.append(value)
            }
            return values
        }
        #expect(values.count == 10)
        #expect(Set(values).count == 1)
        #expect(values.first.flatMap { $0 } != nil)
        let stats = try await fixture.stats()
        #expect(stats["token_requests"] == 1)
        #expect(stats["tokens_issued"] == 1)
    }

    @Test func refreshesWithinFiveMinutesOfExpiryAndAfterInvalidate() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        // Start the clock 3400 s in the past: the first token then expires 200 s from the real now.
        let realNow = Date()
        let clock = TestClock(realNow.addingTimeInterval(-3400))
        let provider = JWTBearerTokenProvider(
            key: try ServiceAccountKey.load(path: fixture.keyFile), scopes: Self.scopes, http: CurlHTTPClient(), now: { clock.now }
        )
        let first = try #require(try await provider.token())
        #expect(try await provider.token()?.value == first.value)

        clock.set(realNow)  // 200 s left, inside the 5-minute margin
        let second = try #require(try await provider.token())
        #expect(second.value != first.value)
        #expect(try await fixture.stats()["tokens_issued"] == 2)

        await provider.invalidate(first)  // not the cached token: kept
        #expect(try await provider.token()?.value == second.value)
        await provider.invalidate(second)
        let third = try #require(try await provider.token())
        #expect(third.value != second.value)
        #expect(try await fixture.stats()["tokens_issued"] == 3)
    }

    @Test func nonJSONErrorsAreReported() async throws {
        let endpoint = TokenEndpoint(url: "http://127.0.0.1:9/token?x=secret", http: CurlHTTPClient())
        let error = try #require(throws: AuthError.self) {
            _ = try endpoint.parse(HTTPResponse(status: 502, body: Array("<html>bad gateway</html>".utf8)), now: Date())
        }
        #expect(error.description == "token request to http://127.0.0.1:9/token failed with HTTP 502: the answer is not an OAuth error object")
        let empty = try #require(throws: AuthError.self) {
            _ = try endpoint.parse(HTTPResponse(status: 200, body: Array(#"{"token_type":"Bearer"}"#.utf8)), now: Date())
        }
        #expect(empty.kind == .malformedResponse)
        let token = try endpoint.parse(HTTPResponse(status: 200, body: Array(#"{"access_token":"t","expires_in":60}"#.utf8)), now: Date(timeIntervalSince1970: 0))
        #expect(token == AccessToken(value: "t", expiresAt: Date(timeIntervalSince1970: 60)))
    }
}
