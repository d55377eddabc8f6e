import Foundation
import Testing
import TestSupport
@testable import HTTPTransport

/// TLS is always verified: a server with a self-signed certificate is refused unless its
/// certificate authority is configured with `caFile`, and even then its name must match.
@Suite struct SecurityTLSTests {
    static let script = LocalServer.fixtures.appendingPathComponent("http_test_server.py")

    /// A self-signed certificate (usable as its own CA) for `subjectAltName`; returns (cert, key).
    static func certificate(_ name: String, altName: String, in directory: URL) throws -> (cert: String, key: String) {
        try TestCertificates.selfSigned(name, altName: altName, in: directory)
    }

    func send(_ url: String, caFile: String?) async -> Result<HTTPResponse, TransportError> {
        do {
            return .success(try await CurlHTTPClient(caFile: caFile).send(HTTPRequest(url: url)))
        } catch let error as TransportError {
            return .failure(error)
        } catch {
            Issue.record("unexpected error \(error)")
            return .failure(TransportError(curlCode: 0, curlMessage: "", detail: "\(error)", method: "GET", url: url))
        }
    }

    @Test func selfSignedServerIsTrustedOnlyThroughItsCAFile() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let server = try Self.certificate("server", altName: "IP:127.0.0.1", in: directory)
        let other = try Self.certificate("other", altName: "IP:127.0.0.1", in: directory)
        let local = try await LocalServer(script: Self.script, arguments: ["--tls-cert", server.cert, "--tls-key", server.key],
                                          directory: directory)
        defer { local.stop() }
        let url = local.url("/echo", scheme: "https")

        guard case .failure(let byDefault) = await send(url, caFile: nil) else {
            Issue.record("a self-signed certificate was accepted without a CA file")
            return
        }
        #expect(byDefault.isCertificateProblem)
        #expect(!byDefault.isRetryable)

        guard case .failure(let wrongCA) = await send(url, caFile: other.cert) else {
            Issue.record("a certificate was accepted with an unrelated CA file")
            return
        }
        #expect(wrongCA.isCertificateProblem)

        guard case .success(let trusted) = await send(url, caFile: server.cert) else {
            Issue.record("the configured CA file was not used")
            return
        }
        #expect(trusted.status == 200)
    }

    @Test func aTrustedCertificateForAnotherNameIsRefused() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let misnamed = try Self.certificate("misnamed", altName: "DNS:elsewhere.invalid", in: directory)
        let local = try await LocalServer(script: Self.script,
                                          arguments: ["--tls-cert", misnamed.cert, "--tls-key", misnamed.key],
                                          directory: directory)
        defer { local.stop() }
        guard case .failure(let error) = await send(local.url("/echo", scheme: "https"), caFile: misnamed.cert) else {
            Issue.record("a certificate for another host name was accepted")
            return
        }
        #expect(error.isCertificateProblem, "\(error)")
    }

    @Test func aMissingCAFileFailsTheRequest() async throws {
        let directory = try LocalServer.temporaryDirectory()
        let server = try Self.certificate("server", altName: "IP:127.0.0.1", in: directory)
        let local = try await LocalServer(script: Self.script, arguments: ["--tls-cert", server.cert, "--tls-key", server.key],
                                          directory: directory)
        defer { local.stop() }
        let missing = directory.appendingPathComponent("missing-ca.pem").path
        guard case .failure = await send(local.url("/echo", scheme: "https"), caFile: missing) else {
            Issue.record("a request succeeded with a CA file that does not exist")
            return
        }
    }
}
