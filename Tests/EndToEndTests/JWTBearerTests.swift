import Foundation
import Testing

/// A BigQuery connection with `auth grant="jwt-bearer"`, against the local token endpoint
/// (scripts/token_server.py) that verifies the RS256 assertion with PyJWT.
@Suite("jwt-bearer end to end")
struct JWTBearerTests {
    /// A token server with a fresh key pair; stopped when the value is released.
    final class TokenServer {
        let process: Process
        let url: String
        let directory: String

        init() throws {
            directory = try Harness.temporaryDirectory("oauth")
            for arguments in [["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"],
                              ["pkey", "-in", "key.pem", "-pubout", "-out", "public.pem"],
                              ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other.pem"]] {
                let output = try Harness.run("/usr/bin/openssl", arguments, in: directory)
                try #require(output.status == 0, "openssl \(arguments): \(output.stderr)")
            }
            process = Process()
            process.executableURL = URL(fileURLWithPath: Harness.python)
            process.arguments = [Harness.packageRoot + "/scripts/token_server.py", "--public-key", directory + "/public.pem",
                                 "--client-email", "conveyor@demo.iam.gserviceaccount.com",
                                 "--port", "0", "--port-file", directory + "/port"]
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
            // SIGKILL: a child of a test process may block SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// A service-account key file signed with `key.pem` (or another key).
        func keyFile(signedWith keyName: String = "key.pem") throws -> String {
            let pem = try String(contentsOfFile: directory + "/" + keyName, encoding: .utf8)
            let key: [String: Any] = [
                "type": "service_account", "project_id": "demo", "private_key_id": "test-key-1",
                "private_key": pem, "client_email": "conveyor@demo.iam.gserviceaccount.com",
                "token_uri": url + "/token",
            ]
            let path = directory + "/sa-\(keyName).json"
            try JSONSerialization.data(withJSONObject: key).write(to: URL(fileURLWithPath: path))
            return path
        }

        func stats() throws -> [String: Any] {
            let output = try Harness.run("/usr/bin/curl", ["-sf", url + "/stats"])
            return try #require(try Harness.json(output.stdout) as? [String: Any])
        }
    }

    private func jwtWorkspace() throws -> (String, String) {
        let workspace = try Harness.sampleWorkspace()
        let dataset = Harness.uniqueDataset()
        _ = try Harness.bq(["create-table", "\(dataset).orders", "samples/orders-table.json"], in: workspace)
        try """
            <connection id="bigquery-local" type="google-bigquery">
              <projectId>demo</projectId>
              <auth grant="jwt-bearer">
                <serviceAccountKey file="${env:TEST_SERVICE_ACCOUNT}"/>
              </auth>
              <retry maxAttempts="2" initialBackoff="100ms" maxBackoff="200ms"/>
            </connection>
            """.write(toFile: workspace + "/connectors/bigquery-local.xml", atomically: true, encoding: .utf8)
        return (workspace, dataset)
    }

    @Test("conveyor obtains a token the endpoint verified, once per run, and the rows land")
    func validAssertion() throws {
        let server = try TokenServer()
        let (workspace, dataset) = try jwtWorkspace()
        let run = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace, "--property", "dataset=\(dataset)", "--json"],
                                       environment: ["TEST_SERVICE_ACCOUNT": try server.keyFile()])
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        let stats = try server.stats()
        #expect(stats["tokens_issued"] as? Int == 1, "\(stats)")
        #expect(stats["assertions_rejected"] as? Int == 0, "\(stats)")
        #expect(try Harness.bq(["count", "\(dataset).orders"], in: workspace).trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        #expect(!run.stdout.contains("PRIVATE KEY") && !run.stderr.contains("PRIVATE KEY"))
    }

    @Test("an assertion signed with the wrong key is rejected and every document fails with the reason")
    func wrongKey() throws {
        let server = try TokenServer()
        let (workspace, dataset) = try jwtWorkspace()
        let run = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace, "--property", "dataset=\(dataset)", "--json"],
                                       environment: ["TEST_SERVICE_ACCOUNT": try server.keyFile(signedWith: "other.pem")])
        #expect(run.status == 1)
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any])
        #expect(execution["status"] as? String == "ERROR")
        #expect(execution["documentsError"] as? Int == 5)
        #expect((execution["error"] as? String)?.contains("invalid_grant") == true, "\(execution["error"] ?? "")")
        let stats = try server.stats()
        #expect(stats["tokens_issued"] as? Int == 0)
        #expect((stats["assertions_rejected"] as? Int ?? 0) >= 1)
        #expect(!run.stdout.contains("PRIVATE KEY") && !run.stderr.contains("PRIVATE KEY"))
        #expect(try Harness.bq(["count", "\(dataset).orders"], in: workspace).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
