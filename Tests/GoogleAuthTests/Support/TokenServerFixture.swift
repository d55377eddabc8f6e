import TestSupport
import Foundation
import Synchronization
import GoogleAuth
import HTTPTransport

/// A service-account key generated for the test and a token server that trusts it.
struct TokenServerFixture {
    static let clientEmail = "loader@conveyor-test.iam.gserviceaccount.com"

    let server: LocalServer
    let keyFile: String
    let directory: URL

    /// Generates an RSA key pair and a key file, then starts `scripts/token_server.py`.
    static func start(arguments extra: [String] = []) async throws -> TokenServerFixture {
        let directory = try LocalServer.temporaryDirectory()
        let privateKey = try generateKey(in: directory, name: "sa")
        let publicKey = directory.appendingPathComponent("sa-public.pem").path
        try openssl(["pkey", "-in", privateKey, "-pubout", "-out", publicKey])
        let server = try await LocalServer(
            script: LocalServer.tokenServerScript,
            arguments: ["--public-key", publicKey, "--client-email", clientEmail, "--port", "0"] + extra,
            directory: directory
        )
        let keyFile = directory.appendingPathComponent("service-account.json").path
        try writeKeyFile(keyFile, privateKeyPEM: try String(contentsOfFile: privateKey, encoding: .utf8), tokenURI: server.url("/token"))
        return TokenServerFixture(server: server, keyFile: keyFile, directory: directory)
    }

    var tokenURL: String {
        server.url("/token")
    }

    func stop() {
        server.stop()
    }

    /// `/stats` of the token server.
    func stats() async throws -> [String: Int] {
        let response = try await CurlHTTPClient().send(HTTPRequest(url: server.url("/stats")))
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
        return object.compactMapValues { $0 as? Int }
    }

    /// `POST /revoke-all`.
    func revokeAll() async throws {
        _ = try await CurlHTTPClient().send(HTTPRequest(method: "POST", url: server.url("/revoke-all")))
    }

    /// The OAuth client the token server knows for the authorization code grant.
    static let clientID = "conveyor-test-client"
    static let clientSecret = "conveyor-test-secret"

    /// The token server's client, authorizing at `/authorize` and exchanging at `/token`.
    var client: AuthorizationCodeClient {
        AuthorizationCodeClient(clientID: Self.clientID, clientSecret: Self.clientSecret,
                                scopes: ["https://www.googleapis.com/auth/bigquery"],
                                authorizationURL: server.url("/authorize"), tokenURL: tokenURL)
    }

    /// The private key the server trusts, in PKCS#8 PEM.
    var privateKeyPath: String {
        directory.appendingPathComponent("sa-private.pem").path
    }

    /// Runs the browser part of a sign-in: GET the authorization URL, follow its redirect to
    /// the loopback listener, and complete the exchange.
    func signIn(connection: String, client: AuthorizationCodeClient? = nil) async throws -> StoredCredentials {
        let listener = try await LoopbackListener()
        let request = try AuthorizationRequest(client: client ?? self.client, redirectURI: listener.redirectURI)
        async let received = listener.receive(timeout: .seconds(20)) { _ in "<p>done</p>" }
        let redirect = try await CurlHTTPClient().send(HTTPRequest(url: request.url))
        guard redirect.status == 302, let location = redirect.headers.first(named: "location") else {
            throw RedirectMissing(status: redirect.status)
        }
        _ = try await CurlHTTPClient().send(HTTPRequest(url: location))
        return try await request.complete(redirect: try await received, connection: connection, http: CurlHTTPClient())
    }

    struct RedirectMissing: Error {
        var status: Int
    }

    /// Generates a 2048-bit RSA key in PKCS#8 PEM; returns its path.
    static func generateKey(in directory: URL, name: String) throws -> String {
        let path = directory.appendingPathComponent("\(name)-private.pem").path
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path])
        return path
    }

    /// Converts a PKCS#8 key to PKCS#1 (the RSA-specific PEM form); returns the new path.
    static func pkcs1(from path: String) throws -> String {
        let output = path.replacingOccurrences(of: ".pem", with: "-pkcs1.pem")
        try openssl(["pkey", "-in", path, "-traditional", "-out", output])
        return output
    }

    /// Writes a service-account JSON key file.
    static func writeKeyFile(_ path: String, privateKeyPEM: String, tokenURI: String, clientEmail: String = clientEmail) throws {
        let object: [String: Any] = [
            "type": "service_account",
            "project_id": "conveyor-test",
            "private_key_id": "key-1",
            "private_key": privateKeyPEM,
            "client_email": clientEmail,
            "client_id": "1234567890",
            "token_uri": tokenURI,
        ]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    struct OpenSSLFailure: Error {
        var arguments: [String]
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailure(arguments: arguments)
        }
    }
}

/// A clock tests can move.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) {
        current = Mutex(start)
    }

    var now: Date {
        current.withLock { $0 }
    }

    func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}


