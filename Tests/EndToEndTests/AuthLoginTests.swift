import Foundation
import Testing

/// `conveyor auth login` against the local token server, then runs with the stored refresh token.
@Suite("authorization-code end to end")
struct AuthLoginTests {
    static let clientSecret = "conveyor-test-secret"

    private func workspace(_ server: JWTBearerTests.TokenServer) throws -> (String, String, [String: String]) {
        let workspace = try Harness.sampleWorkspace()
        let dataset = Harness.uniqueDataset()
        _ = try Harness.bq(["create-table", "\(dataset).orders", "samples/orders-table.json"], in: workspace)
        try """
            <connection id="bigquery-local" type="google-bigquery">
              <projectId>demo</projectId>
              <auth grant="authorization-code">
                <clientId>conveyor-test-client</clientId>
                <clientSecret>${secret:BQ_CLIENT}</clientSecret>
                <scope>https://www.googleapis.com/auth/bigquery</scope>
                <authorizationUrl>${env:TEST_AUTHORIZE_URL}</authorizationUrl>
                <tokenUrl>${env:TEST_TOKEN_URL}</tokenUrl>
              </auth>
              <retry maxAttempts="2" initialBackoff="100ms" maxBackoff="200ms"/>
            </connection>
            """.write(toFile: workspace + "/connectors/bigquery-local.xml", atomically: true, encoding: .utf8)
        let environment = ["CONVEYOR_SECRET_BQ_CLIENT": Self.clientSecret, "TEST_AUTHORIZE_URL": server.url + "/authorize",
                           "TEST_TOKEN_URL": server.url + "/token"]
        return (workspace, dataset, environment)
    }

    /// Starts `conveyor auth login`, reads the URL it prints, and lets curl follow it (the token
    /// server redirects to the loopback listener at once).
    private func login(_ workspace: String, environment: [String: String]) throws -> (Harness.Output, String) {
        let scratch = try Harness.temporaryDirectory("login")
        let outPath = scratch + "/out", errPath = scratch + "/err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.conveyor)
        process.arguments = ["auth", "login", "bigquery-local", "--workspace", workspace, "--no-browser", "--timeout", "30"]
        process.environment = try Harness.environment(forWorkspace: workspace).merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var url: String?
        for _ in 0..<400 where url == nil {
            let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            url = text.split(separator: "\n").first { $0.hasPrefix("http") }.map(String.init)
            if url == nil {
                if !process.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let url else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            Issue.record("auth login printed no URL: \(errors)")
            return (Harness.Output(status: -1, stdout: "", stderr: errors), "")
        }
        let browser = try Harness.run("/usr/bin/curl", ["-sSL", "--max-time", "20", url])
        process.waitUntilExit()
        let output = Harness.Output(status: process.terminationStatus,
                                    stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                                    stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        return (output, browser.stdout)
    }

    @Test("auth login stores a refresh token; runs refresh with it; revoked, the run says to sign in again")
    func loginRunRevoke() throws {
        let server = try JWTBearerTests.TokenServer()
        let (workspace, dataset, environment) = try workspace(server)

        let before = try Harness.conveyor(["auth", "status", "--workspace", workspace], environment: environment)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("bigquery-local  authorization-code  not signed in: run `conveyor auth login bigquery-local`"))

        let (login, page) = try login(workspace, environment: environment)
        #expect(login.status == 0, "\(login.stderr)\n\(login.stdout)")
        #expect(page.contains("Signed in."))
        let url = try #require(login.stdout.split(separator: "\n").first { $0.hasPrefix("http") })
        for parameter in ["response_type=code", "client_id=conveyor-test-client", "redirect_uri=http%3A%2F%2F127.0.0.1%3A",
                          "code_challenge=", "code_challenge_method=S256", "access_type=offline", "prompt=consent", "state="] {
            #expect(url.contains(parameter), "\(parameter) in \(url)")
        }
        let credentialFile = workspace + "/.conveyor/credentials/bigquery-local.json"
        let stored = try #require(try Harness.json(try String(contentsOfFile: credentialFile, encoding: .utf8)) as? [String: Any])
        let refreshToken = try #require(stored["refresh_token"] as? String)
        let attributes = try FileManager.default.attributesOfItem(atPath: credentialFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: workspace + "/.conveyor/credentials")
        #expect((directory[.posixPermissions] as? NSNumber)?.intValue == 0o700)

        let status = try Harness.conveyor(["auth", "status", "bigquery-local", "--workspace", workspace], environment: environment)
        #expect(status.status == 0)
        #expect(status.stdout.contains("bigquery-local  authorization-code  signed in, refresh token stored "), "\(status.stdout)")
        #expect(status.stdout.contains("scope https://www.googleapis.com/auth/bigquery"))

        let run = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace, "--property", "dataset=\(dataset)", "--json"],
                                       environment: environment)
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        #expect(try Harness.bq(["count", "\(dataset).orders"], in: workspace).trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        let stats = try server.stats()
        #expect(stats["grant_authorization_code"] as? Int == 1, "\(stats)")
        #expect(stats["grant_refresh_token"] as? Int == 1, "\(stats)")

        _ = try Harness.run("/usr/bin/curl", ["-sf", "-X", "POST", server.url + "/revoke-all"])
        let refused = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace, "--property", "dataset=\(dataset)", "--json"],
                                           environment: environment)
        #expect(refused.status == 1)
        let execution = try #require(try Harness.json(refused.stdout) as? [String: Any])
        #expect((execution["error"] as? String)?.contains(
            "the stored refresh token for connection bigquery-local was refused (invalid_grant): run `conveyor auth login bigquery-local`") == true,
            "\(execution["error"] ?? "")")

        // No secret in any output or in the execution store.
        let storeText = try WorkspaceStore.contents(workspace)
        for output in [before, login, status, run, refused] {
            for text in [output.stdout, output.stderr, storeText] {
                #expect(!text.contains(Self.clientSecret))
                #expect(!text.contains(refreshToken))
                #expect(!text.contains("tok-"), "an access token leaked")
                #expect(!text.contains("refresh-"))
            }
        }
    }
}
