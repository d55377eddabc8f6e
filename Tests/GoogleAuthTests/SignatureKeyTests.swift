import Foundation
import HTTPTransport
import Testing
@testable import GoogleAuth

@Suite("JWT bearer with an issuer and a PEM or PKCS#12 signature key")
struct SignatureKeyTests {
    static let scopes = ["https://www.googleapis.com/auth/bigquery"]

    func provider(_ fixture: TokenServerFixture, key: SigningKey, subject: String? = nil, tokenURL: String? = nil,
                  now: @escaping @Sendable () -> Date = { Date() }) -> JWTBearerTokenProvider {
        JWTBearerTokenProvider(issuer: TokenServerFixture.clientEmail, signingKey: key, scopes: Self.scopes,
                               tokenURL: tokenURL ?? fixture.tokenURL, subject: subject, http: CurlHTTPClient(), now: now)
    }

    /// Writes the fixture's key as PKCS#12 protected by `password`; returns the path.
    func pkcs12(_ fixture: TokenServerFixture, password: String) throws -> String {
        let directory = fixture.directory
        let certificate = directory.appendingPathComponent("cert.pem").path
        let bundle = directory.appendingPathComponent("key.p12").path
        try TokenServerFixture.openssl(["req", "-new", "-x509", "-key", fixture.privateKeyPath, "-subj", "/CN=conveyor-test",
                                        "-days", "1", "-out", certificate])
        try TokenServerFixture.openssl(["pkcs12", "-export", "-inkey", fixture.privateKeyPath, "-in", certificate,
                                        "-passout", "pass:" + password, "-out", bundle])
        return bundle
    }

    @Test(arguments: [false, true])
    func pemKeysInBothForms(pkcs1: Bool) async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let path = pkcs1 ? try TokenServerFixture.pkcs1(from: fixture.privateKeyPath) : fixture.privateKeyPath
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(pkcs1 ? "BEGIN RSA " : "BEGIN PRIVATE"))
        let token = try await provider(fixture, key: try SigningKey.load(path: path)).token()
        #expect(token != nil)
        #expect(try await fixture.stats()["grant_jwt_bearer"] == 1)
    }

    @Test func pkcs12WithPassword() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let bundle = try pkcs12(fixture, password: "s3cret-P12")
        let key = try SigningKey.load(path: bundle, password: "s3cret-P12")
        #expect(try await provider(fixture, key: key).token() != nil)

        let error = try #require(throws: AuthError.self) { _ = try SigningKey.load(path: bundle, password: "wrong-password") }
        #expect(error.kind == .signatureKey)
        #expect(error.description == "signature key \(bundle): wrong PKCS#12 password")
        #expect(!error.description.contains("wrong-password"))

        let missing = try #require(throws: AuthError.self) { _ = try SigningKey.load(path: bundle + ".gone", password: "x") }
        #expect(missing.description == "signature key \(bundle).gone: cannot be read")
    }

    @Test func subjectIsSentForDomainWideDelegation() async throws {
        let fixture = try await TokenServerFixture.start(arguments: ["--allowed-subject", "analyst@example.com"])
        defer { fixture.stop() }
        let key = try SigningKey.load(path: fixture.privateKeyPath)
        #expect(try await provider(fixture, key: key, subject: "analyst@example.com").token() != nil)
        let refused = try await #require(throws: AuthError.self) {
            _ = try await provider(fixture, key: key, subject: "boss@example.com").token()
        }
        #expect(refused.oauthError == "unauthorized_client")
        #expect(refused.description.contains("boss@example.com"))
    }

    @Test func wrongKeyWrongAudienceAndClockSkewAreRefused() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let other = try SigningKey.load(path: try TokenServerFixture.generateKey(in: fixture.directory, name: "other"))
        let wrongKey = try await #require(throws: AuthError.self) { _ = try await provider(fixture, key: other).token() }
        #expect(wrongKey.kind == .tokenEndpoint)
        #expect(wrongKey.description.hasPrefix("token request to \(fixture.tokenURL) failed with HTTP 400: invalid_grant (Invalid JWT: Signature"))

        let key = try SigningKey.load(path: fixture.privateKeyPath)
        // Same server, other host name: the assertion's aud is not the server's token URL.
        let elsewhere = fixture.tokenURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let audience = try await #require(throws: AuthError.self) { _ = try await provider(fixture, key: key, tokenURL: elsewhere).token() }
        #expect(audience.oauthError == "invalid_grant")
        #expect(audience.oauthErrorDescription?.lowercased().contains("audience") == true, "\(audience)")

        // A clock 10 minutes fast: iat lies beyond the server's 60 s allowance.
        let fast = provider(fixture, key: key, now: { Date().addingTimeInterval(600) })
        let skew = try await #require(throws: AuthError.self) { _ = try await fast.token() }
        #expect(skew.oauthError == "invalid_grant")
        #expect(skew.oauthErrorDescription?.contains("iat") == true)
        // 30 s fast is within the allowance.
        #expect(try await provider(fixture, key: key, now: { Date().addingTimeInterval(30) }).token() != nil)
        #expect(try await fixture.stats()["tokens_issued"] == 1)
    }
}
