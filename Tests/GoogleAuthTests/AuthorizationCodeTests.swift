import Foundation
import HTTPTransport
import TestSupport
import Testing
@testable import GoogleAuth

@Suite("Authorization code sign-in and refresh tokens")
struct AuthorizationCodeTests {
    @Test func pkceChallengeMatchesRFC7636() {
        #expect(AuthorizationRequest.codeChallenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
            == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func authorizationURLCarriesEveryParameter() throws {
        let client = AuthorizationCodeClient(clientID: "id 1", clientSecret: "secret", scopes: ["a", "b"])
        let request = try AuthorizationRequest(client: client, redirectURI: "http://127.0.0.1:8123/")
        let items = try #require(URLComponents(string: request.url)?.queryItems)
        let query = Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.value ?? "") })
        #expect(request.url.hasPrefix(AuthorizationCodeClient.defaultAuthorizationURL + "?"))
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "id 1")
        #expect(query["redirect_uri"] == "http://127.0.0.1:8123/")
        #expect(query["scope"] == "a b")
        #expect(query["state"] == request.state)
        #expect(query["code_challenge"] == AuthorizationRequest.codeChallenge(for: request.codeVerifier))
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["access_type"] == "offline")
        #expect(query["prompt"] == "consent")
        #expect(query["client_secret"] == nil)
        #expect(request.codeVerifier.count == 43)
        let other = try AuthorizationRequest(client: client, redirectURI: "http://127.0.0.1:8123/")
        #expect(other.state != request.state && other.codeVerifier != request.codeVerifier)
    }

    @Test func redirectWithAnotherStateOrAnErrorIsRefused() async throws {
        let request = try AuthorizationRequest(client: AuthorizationCodeClient(clientID: "c", clientSecret: "s", scopes: ["x"]),
                                               redirectURI: "http://127.0.0.1:1/")
        let state = try await #require(throws: AuthError.self) {
            _ = try await request.complete(redirect: ["code": "abc", "state": "forged"], connection: "bq", http: CurlHTTPClient())
        }
        #expect(state.description == "sign-in for connection bq failed: the redirect's state does not match this sign-in")
        let denied = try await #require(throws: AuthError.self) {
            _ = try await request.complete(redirect: ["error": "access_denied", "state": request.state], connection: "bq", http: CurlHTTPClient())
        }
        #expect(denied.description == "sign-in for connection bq failed: the authorization server answered access_denied")
    }

    @Test func signInStoresARefreshTokenThatIsExchangedAndRefreshedBeforeExpiry() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let credentials = try await fixture.signIn(connection: "bq-user")
        #expect(credentials.refreshToken.hasPrefix("refresh-"))
        #expect(credentials.scope == "https://www.googleapis.com/auth/bigquery")
        let store = CredentialStore(directory: try LocalServer.temporaryDirectory().appendingPathComponent("credentials").path)
        try store.save(credentials, connection: "bq-user")

        let realNow = Date()
        let clock = TestClock(realNow.addingTimeInterval(-3400))  // the first token then has 200 s left
        let provider = try AuthConfiguration.authorizationCode(fixture.client).makeProvider(
            connection: "bq-user", scopes: [], http: CurlHTTPClient(), store: store, environment: [:], now: { clock.now })
        let first = try #require(try await provider.token())
        #expect(try await provider.token() == first)
        clock.set(realNow)
        let second = try #require(try await provider.token())
        #expect(second.value != first.value)
        let stats = try await fixture.stats()
        #expect(stats["grant_authorization_code"] == 1)
        #expect(stats["grant_refresh_token"] == 2)
    }

    @Test func codesWorkOnceAndNeedTheVerifierAndSecret() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        var wrongSecret = fixture.client
        wrongSecret.clientSecret = "not-the-secret"
        let refused = try await #require(throws: AuthError.self) { _ = try await fixture.signIn(connection: "c", client: wrongSecret) }
        #expect(refused.status == 401)
        #expect(refused.oauthError == "invalid_client")
        #expect(!refused.description.contains("not-the-secret"))

        // Replay a code with a forged verifier, then the right one: the code is spent by the first use.
        let listener = try await LoopbackListener()
        let request = try AuthorizationRequest(client: fixture.client, redirectURI: listener.redirectURI)
        async let received = listener.receive(timeout: .seconds(20)) { _ in "ok" }
        let redirect = try await CurlHTTPClient().send(HTTPRequest(url: request.url))
        _ = try await CurlHTTPClient().send(HTTPRequest(url: try #require(redirect.headers.first(named: "location"))))
        let parameters = try await received
        let endpoint = TokenEndpoint(url: fixture.tokenURL, http: CurlHTTPClient())
        let forged = try await #require(throws: AuthError.self) {
            _ = try await endpoint.requestGrant([
                ("grant_type", "authorization_code"), ("code", parameters["code"] ?? ""), ("redirect_uri", listener.redirectURI),
                ("client_id", TokenServerFixture.clientID), ("client_secret", TokenServerFixture.clientSecret),
                ("code_verifier", String(repeating: "a", count: 43)),
            ], now: Date())
        }
        #expect(forged.oauthErrorDescription == "Invalid code verifier.")
        let reused = try await #require(throws: AuthError.self) {
            _ = try await request.complete(redirect: parameters, connection: "c", http: CurlHTTPClient())
        }
        #expect(reused.oauthError == "invalid_grant")
        #expect(try await fixture.stats()["grant_authorization_code"] == 0)
    }

    @Test func missingAndRevokedRefreshTokensSayToSignInAgain() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let store = CredentialStore(directory: try LocalServer.temporaryDirectory().appendingPathComponent("credentials").path)
        let provider = try AuthConfiguration.authorizationCode(fixture.client).makeProvider(
            connection: "bq-user", scopes: [], http: CurlHTTPClient(), store: store, environment: [:])
        let missing = try await #require(throws: AuthError.self) { _ = try await provider.token() }
        #expect(missing.description == "no stored credentials for connection bq-user: run `conveyor auth login bq-user`")

        try store.save(try await fixture.signIn(connection: "bq-user"), connection: "bq-user")
        #expect(try await provider.token() != nil)
        try await fixture.revokeAll()
        let fresh = try AuthConfiguration.authorizationCode(fixture.client).makeProvider(
            connection: "bq-user", scopes: [], http: CurlHTTPClient(), store: store, environment: [:])
        let revoked = try await #require(throws: AuthError.self) { _ = try await fresh.token() }
        #expect(revoked.kind == .refreshTokenRefused)
        #expect(revoked.description
            == "the stored refresh token for connection bq-user was refused (invalid_grant): run `conveyor auth login bq-user`")
    }
}
