import Foundation
import Testing

/// The `http` connector's OAuth 2.0 client credentials (against scripts/token_server.py), API
/// keys, application errors and rate limit, through the built binary.
@Suite("the http connector's credentials and limits end to end")
struct HTTPConnectorAuthEndToEndTests {
    /// scripts/token_server.py with a client `reports-app`, secret `cc-secret-4711`.
    final class TokenServer {
        let process: Process
        let directory: String
        let url: String

        init() throws {
            directory = try Harness.temporaryDirectory("cc-oauth")
            for arguments in [["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"],
                              ["pkey", "-in", "key.pem", "-pubout", "-out", "public.pem"]] {
                let output = try Harness.run("/usr/bin/openssl", arguments, in: directory)
                try #require(output.status == 0, "openssl \(arguments): \(output.stderr)")
            }
            process = Process()
            process.executableURL = URL(fileURLWithPath: Harness.python)
            process.arguments = [Harness.packageRoot + "/scripts/token_server.py", "--public-key", directory + "/public.pem",
                                 "--client-email", "unused@example.com", "--client-id", "reports-app",
                                 "--client-secret", "cc-secret-4711", "--port", "0", "--port-file", directory + "/port"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var port: String?
            for _ in 0..<300 {
                if let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8),
                   !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    port = text.trimmingCharacters(in: .whitespacesAndNewlines)
                    break
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            url = "http://127.0.0.1:\(try #require(port, "token server did not start"))"
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func stats() throws -> [String: Any] {
            let output = try Harness.run("/usr/bin/curl", ["-sf", url + "/stats"])
            return try #require(try Harness.json(output.stdout) as? [String: Any])
        }
    }

    static let secrets = ["CONVEYOR_SECRET_CLIENT_SECRET": "cc-secret-4711", "CONVEYOR_SECRET_BAD_SECRET": "cc-wrong-0815",
                          "CONVEYOR_SECRET_API_KEY": "key-31337-zyx"]

    static func documents(_ count: Int) -> [String] {
        (1...count).map { #"{"key":"doc\#($0)","value":"\#($0)"}"# }
    }

    @Test func clientCredentialsTokenIsFetchedOnceAndCached() throws {
        let server = try TokenServer()
        let connection = { (secret: String) in
            """
            <connection id="oauth-\(secret.lowercased())" type="http"><baseUrl>\(server.url)</baseUrl>
              <auth grant="client-credentials"><tokenUrl>\(server.url)/token</tokenUrl><clientId>reports-app</clientId>
                <clientSecret>${secret:\(secret)}</clientSecret><scope>reports.read</scope></auth>
              <retry maxAttempts="1"/>
            </connection>
            """
        }
        let root = try HTTPConnectorEndToEndTests.workspace(server.url, operations: [
            "check": HTTPConnectorEndToEndTests.get("check", "/check"),
            "oauth-client_secret": connection("CLIENT_SECRET"), "oauth-bad_secret": connection("BAD_SECRET"),
        ], processes: ["good": "oauth-client_secret check", "bad": "oauth-bad_secret check"],
           inputs: ["good": Self.documents(20), "bad": Self.documents(2)])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let good = try run("good", root)
        #expect(good.status == 0, "\(good.said)")
        #expect(good.said.contains("20 out"), "\(good.said)")
        let stats = try server.stats()
        #expect(stats["grant_client_credentials"] as? Int == 1, "\(stats)")
        #expect(stats["checks"] as? Int == 20, "\(stats)")
        let bad = try run("bad", root)
        #expect(bad.status == 1, "\(bad.said)")
        #expect(bad.said.contains("refused the client credentials: HTTP 401 (invalid_client)"), "\(bad.said)")
    }

    @Test func apiKeysApplicationErrorsAndRateLimit() throws {
        let api = try HTTPTestAPI()
        let key = { (id: String, placement: String) in
            """
            <connection id="\(id)" type="http"><baseUrl>\(api.url)</baseUrl>
              <auth grant="api-key"><apiKey \(placement)>${secret:API_KEY}</apiKey></auth>
            </connection>
            """
        }
        let root = try HTTPConnectorEndToEndTests.workspace(api.url, operations: [
            "key-header": key("key-header", #"header="X-Api-Key""#), "key-query": key("key-query", #"query="api_key""#),
            "limited": """
                <connection id="limited" type="http"><baseUrl>\(api.url)</baseUrl>
                  <requestsPerSecond>10</requestsPerSecond><maxInFlight>2</maxInFlight></connection>
                """,
            "echo": HTTPConnectorEndToEndTests.get("echo", "/anything"),
            "tolerant": HTTPConnectorEndToEndTests.get("tolerant", "/status/{value}", "<returnApplicationErrors>true</returnApplicationErrors>"),
            "item": HTTPConnectorEndToEndTests.get("item", "/items/{value}"),
        ], processes: ["in-header": "key-header echo", "in-query": "key-query echo", "tolerant": "api tolerant",
                       "limited": "limited item"],
           inputs: ["in-header": [#"{"key":"in-header","value":""}"#], "in-query": [#"{"key":"in-query","value":""}"#],
                    "tolerant": [#"{"key":"fine","value":"200"}"#, #"{"key":"gone","value":"410"}"#],
                    "limited": Self.documents(21)])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run("in-header", root).status == 0)
        let header = try HTTPConnectorEndToEndTests.json(root, "in-header.json")
        #expect((header["headers"] as? [String: Any])?["X-Api-Key"] as? String == "key-31337-zyx", "\(header)")
        #expect(try run("in-query", root).status == 0)
        let query = try HTTPConnectorEndToEndTests.json(root, "in-query.json")
        #expect((query["args"] as? [String: Any])?["api_key"] as? String == "key-31337-zyx", "\(query)")

        // A 410 with returnApplicationErrors goes on (to the disk shape) and makes the run COMPLETE_WARN.
        let tolerant = try run("tolerant", root)
        #expect(tolerant.said.contains("COMPLETE_WARN") && tolerant.said.contains("2 out"), "\(tolerant.said)")
        #expect(FileManager.default.fileExists(atPath: root + "/out/gone.json"))

        // 21 requests at 10 a second take at least 2 seconds.
        let started = Date()
        let limited = try run("limited", root)
        #expect(limited.status == 0 && limited.said.contains("21 out"), "\(limited.said)")
        #expect(Date().timeIntervalSince(started) >= 2, "\(limited.said)")
    }

    func run(_ process: String, _ workspace: String) throws -> (status: Int32, said: String) {
        let output = try Harness.conveyor(["run", "p-" + process, "--workspace", workspace], environment: Self.secrets.merging(HTTPConnectorEndToEndTests.secrets) { $1 })
        let said = output.stdout + output.stderr
        for value in Self.secrets.values { #expect(!said.contains(value), "a secret was shown: \(said)") }
        return (output.status, said)
    }
}
