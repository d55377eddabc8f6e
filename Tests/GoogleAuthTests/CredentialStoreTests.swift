import Foundation
import HTTPTransport
import TestSupport
import Testing
@testable import GoogleAuth

@Suite("Credential store and application default credentials")
struct CredentialStoreTests {
    func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func storesOwnerOnlyFilesAtomically() throws {
        let root = try LocalServer.temporaryDirectory()
        let store = CredentialStore.standard(workspaceRoot: root.path, environment: [:])
        #expect(store.directory == root.path + "/.conveyor/credentials")
        #expect(CredentialStore.standard(workspaceRoot: root.path, environment: ["CONVEYOR_CREDENTIALS_DIR": "/x"]).directory == "/x")
        #expect(try store.load(connection: "bq") == nil)

        let credentials = StoredCredentials(refreshToken: "refresh-1", clientID: "c", scope: "s",
                                            tokenURL: "http://127.0.0.1:1/token", storedAt: Date(timeIntervalSince1970: 1_800_000_000))
        try store.save(credentials, connection: "bq")
        #expect(try store.load(connection: "bq") == credentials)
        #expect(try mode(store.directory) == 0o700)
        #expect(try mode(store.path(for: "bq")) == 0o600)
        var replaced = credentials
        replaced.refreshToken = "refresh-2"
        try store.save(replaced, connection: "bq")
        #expect(try store.load(connection: "bq")?.refreshToken == "refresh-2")
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory) == ["bq.json"])
        #expect(store.path(for: "../evil") == store.directory + "/_.._evil.json")

        try Data("garbage".utf8).write(to: URL(fileURLWithPath: store.path(for: "broken")))
        let error = try #require(throws: AuthError.self) { _ = try store.load(connection: "broken") }
        #expect(error.description == "credential store \(store.path(for: "broken")): is not a credentials file: run `conveyor auth login broken`")
    }

    @Test func applicationDefaultProblemsAreExplained() throws {
        let directory = try LocalServer.temporaryDirectory()
        func failure(_ environment: [String: String]) throws -> String {
            let error = try #require(throws: AuthError.self) {
                _ = try ApplicationDefaultCredentials.provider(environment: environment, scopes: [], http: RecordingClient(status: 200))
            }
            return error.description
        }
        #expect(try failure([:]).hasPrefix("application default credentials: GOOGLE_APPLICATION_CREDENTIALS is not set"))
        #expect(try failure(["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent.json"])
            == "application default credentials: GOOGLE_APPLICATION_CREDENTIALS=/nonexistent.json cannot be read")
        let external = directory.appendingPathComponent("external.json")
        try Data(#"{"type":"external_account"}"#.utf8).write(to: external)
        #expect(try failure(["GOOGLE_APPLICATION_CREDENTIALS": external.path]).contains(#"has type "external_account""#))
        let partial = directory.appendingPathComponent("user.json")
        try Data(#"{"type":"authorized_user","client_id":"c"}"#.utf8).write(to: partial)
        #expect(try failure(["GOOGLE_APPLICATION_CREDENTIALS": partial.path]).hasSuffix("lacks client_secret, refresh_token"))
    }

    @Test func applicationDefaultServiceAccountAndAuthorizedUser() async throws {
        let fixture = try await TokenServerFixture.start()
        defer { fixture.stop() }
        let account = try ApplicationDefaultCredentials.provider(
            environment: ["GOOGLE_APPLICATION_CREDENTIALS": fixture.keyFile], scopes: ["https://www.googleapis.com/auth/bigquery"],
            http: CurlHTTPClient())
        #expect(try await account.token() != nil)

        let credentials = try await fixture.signIn(connection: "adc")
        let user: [String: Any] = [
            "type": "authorized_user", "client_id": TokenServerFixture.clientID, "client_secret": TokenServerFixture.clientSecret,
            "refresh_token": credentials.refreshToken,
        ]
        let path = fixture.directory.appendingPathComponent("adc-user.json").path
        try JSONSerialization.data(withJSONObject: user).write(to: URL(fileURLWithPath: path))
        let provider = try AuthConfiguration.applicationDefault(tokenURL: fixture.tokenURL).makeProvider(
            connection: "adc", scopes: [], http: CurlHTTPClient(), store: CredentialStore(directory: "/nonexistent"),
            environment: ["GOOGLE_APPLICATION_CREDENTIALS": path])
        #expect(try await provider.token() != nil)
        let stats = try await fixture.stats()
        #expect(stats["grant_jwt_bearer"] == 1)
        #expect(stats["grant_refresh_token"] == 1)
    }
}
