import Foundation
import Testing

/// The OAuth token endpoint failing or hanging (`POST /fault` of scripts/token_server.py):
/// the execution ends ERROR, naming the token endpoint, within the connection's timeouts.
@Suite("token endpoint faults end to end", .serialized)
struct TokenFaultTests {
    static let total = 20

    /// A load workspace authenticating with a service-account key against `server`, with
    /// request timeout 2 s and 2 attempts.
    static func workspace(_ server: JWTBearerTests.TokenServer) throws -> LoadWorkspace {
        let workspace = try LoadWorkspace(
            retry: #"<retry maxAttempts="2" initialBackoff="100ms" maxBackoff="200ms"/>"#,
            timeouts: #"<timeouts connect="2s" request="2s"/>"#,
            auth: """
                <auth grant="jwt-bearer"><serviceAccountKey file="\(try server.keyFile())"/></auth>
                """)
        try workspace.writeRows(total)
        return workspace
    }

    static func setFault(_ server: JWTBearerTests.TokenServer, _ mode: String, seconds: Int = 30) throws {
        let output = try Harness.run("/usr/bin/curl", ["-sf", "-d", "mode=\(mode)&seconds=\(seconds)", server.url + "/fault"])
        try #require(output.status == 0, "POST /fault: \(output.stderr)")
    }

    @Test("the token endpoint answering 503: ERROR naming the endpoint and its answer, after the retries")
    func tokenEndpointFails() throws {
        let server = try JWTBearerTests.TokenServer()
        let workspace = try Self.workspace(server)
        try Self.setFault(server, "error")
        let started = Date()
        let (output, execution) = try workspace.run()
        let elapsed = Date().timeIntervalSince(started)
        #expect(output.status == 1)
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsOut"] as? Int == 0)
        let error = execution["error"] as? String ?? ""
        #expect(error.contains(server.url + "/token"), "\(error)")
        #expect(error.contains("503") && error.contains("temporarily_unavailable"), "\(error)")
        let requests = try server.stats()["token_requests"] as? Int ?? 0
        #expect(requests >= 2, "the token request is retried (maxAttempts 2): \(requests)")
        #expect(elapsed < 20, "took \(elapsed) s")
        #expect(try workspace.idStats().rows == 0)
    }

    @Test("a stalled token endpoint: ERROR naming the endpoint within the request timeout and the retries")
    func tokenEndpointStalls() throws {
        let server = try JWTBearerTests.TokenServer()
        let workspace = try Self.workspace(server)
        try Self.setFault(server, "stall", seconds: 60)
        let started = Date()
        let (output, execution) = try workspace.run()
        let elapsed = Date().timeIntervalSince(started)
        #expect(output.status == 1)
        #expect(execution["status"] as? String == "ERROR")
        let error = execution["error"] as? String ?? ""
        #expect(error.contains(server.url + "/token"), "\(error)")
        #expect(error.contains("curl error 28") || error.localizedCaseInsensitiveContains("timed out"), "\(error)")
        // 2 attempts of at most 2 s each, a short backoff, and start-up: far below the 60 s stall.
        #expect(elapsed < 15, "took \(elapsed) s")

        // The endpoint recovers: the next run gets a token and loads every row.
        try Self.setFault(server, "none")
        let (retried, again) = try workspace.run()
        #expect(retried.status == 0, "\(retried.stderr)\n\(again["error"] ?? "")")
        #expect(try workspace.idStats().distinct == Self.total)
    }
}
