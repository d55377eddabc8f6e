import Foundation
import Testing

/// Secret values stay out of what the commands print and store: validation errors quoting a
/// setting, errors quoting a secret in escaped form, and persisted process properties.
@Suite struct SecretRedactionTests {
    /// The sample workspace with `original` replaced by `replacement` in `connectors/<file>`.
    static func sample(_ edits: [(file: String, original: String, replacement: String)]) throws -> String {
        let workspace = try Harness.sampleWorkspace()
        for edit in edits {
            let path = workspace + "/connectors/" + edit.file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(edit.original))
            try text.replacingOccurrences(of: edit.original, with: edit.replacement)
                .write(toFile: path, atomically: true, encoding: .utf8)
        }
        return workspace
    }

    @Test("validate, run and serve redact secrets quoted by connector setting errors")
    func settingErrorsAreRedacted() throws {
        let workspace = try Self.sample([
            ("insert-orders.xml", "<batchCount>500</batchCount>", "<batchCount>${secret:BC}</batchCount>"),
            ("bigquery-local.xml", #"connect="5s""#, #"connect="${secret:TO}""#),
        ])
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let environment = ["CONVEYOR_SECRET_BC": "BatchSecretXYZ", "CONVEYOR_SECRET_TO": "TimeoutSecret77"]
        for command in [["validate"], ["run", "orders-to-bigquery"], ["serve", "--no-auth"]] {
            let output = try Harness.conveyor(command + ["--workspace", workspace], environment: environment)
            #expect(output.status == 2, "\(command): \(output.stderr)")
            #expect(output.stderr.contains("<batchCount> must be a whole number from 1 to 10000, not '***'"),
                    "\(command): \(output.stderr)")
            #expect(output.stderr.contains("connect '***' is not a duration"), "\(command): \(output.stderr)")
            for secret in environment.values {
                #expect(!output.stderr.contains(secret) && !output.stdout.contains(secret), "\(command): \(output.stderr)")
            }
        }
    }

    @Test("a secret with a line break is redacted from a run's error even where it is shown escaped")
    func escapedSecretInARunErrorIsRedacted() throws {
        let workspace = try Self.sample([("insert-orders.xml", "<tableId>orders</tableId>", "<tableId>${secret:TBL}</tableId>")])
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let environment = ["CONVEYOR_SECRET_TBL": "Line1\nTopSecretTail"]
        let output = try Harness.conveyor(["run", "orders-to-bigquery", "--workspace", workspace], environment: environment)
        #expect(output.status == 1, "\(output.stderr)\(output.stdout)")
        let text = output.stdout + output.stderr
        #expect(text.contains("is not a valid BigQuery table id"), "\(text)")
        #expect(!text.contains("TopSecretTail"), "the secret leaked: \(text)")
        for (file, data) in try WorkspaceStore.persisted(workspace) {
            #expect(data.range(of: Data("TopSecretTail".utf8)) == nil, "the secret is in \(file)")
        }
    }

    @Test("properties list redacts a persisted secret; the next run still reads the real value")
    func persistedSecretIsRedactedWhenShown() throws {
        let workspace = try RuntimeTests.trackingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let path = workspace + "/processes/track.xml"
        try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: #"<value source="profile" path="/id"/>"#,
                                  with: #"<value source="static" value="cur-${secret:PSEC}-end"/>"#)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let environment = ["CONVEYOR_SECRET_PSEC": "PersistedSecret4242"]
        let run = ["run", "track", "--workspace", workspace]
        try RuntimeTests.input("{\"id\":\"a1\"}\n", "in-1.jsonl", in: workspace)
        var output = try Harness.conveyor(run, environment: environment)
        #expect(output.status == 0, "\(output.stderr)\(output.stdout)")

        let list = try Harness.conveyor(["properties", "list", "track", "--workspace", workspace], environment: environment)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("since = cur-***-end"), "\(list.stdout)")
        #expect(!list.stdout.contains("PersistedSecret4242") && !list.stderr.contains("PersistedSecret4242"), "\(list.stdout)")

        // The store keeps the real value: the next run uses it in its file name.
        try RuntimeTests.input("{\"id\":\"b1\"}\n", "in-2.jsonl", in: workspace)
        output = try Harness.conveyor(run, environment: environment)
        #expect(output.status == 0, "\(output.stderr)\(output.stdout)")
        #expect(RuntimeTests.exists(workspace + "/data/out-cur-PersistedSecret4242-end-plain.jsonl"))
    }

    @Test("a listener answer holding a secret with a quote, backslash or tab shows it as ***")
    func escapedSecretInAListenerAnswerIsRedacted() async throws {
        let workspace = try Harness.workspace("secret-escaped", files: [
            "profiles/in.xml": #"<profile id="in" type="json"><element name="id" type="character"/></profile>"#,
            "profiles/out.xml": """
                <profile id="out" type="json"><element name="id" type="character"/>\
                <element name="source" type="character"/><element name="tab" type="character"/></profile>
                """,
            "profiles/stamp.xml": """
                <map id="stamp-map" from="in" to="out"><mapping from="/id" to="/id"/>\
                <default to="/source" value="${secret:DQ}"/><default to="/tab" value="${secret:TAB}"/></map>
                """,
            "processes/stamp.xml": """
                <process id="stamp">
                  <shapes>
                    <start id="start" next="map"><listener path="/stamp" method="POST"/></start>
                    <map id="map" map="stamp-map" next="answer"/>
                    <returnDocuments id="answer"/>
                  </shapes>
                </process>
                """,
        ])
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let environment = ["CONVEYOR_SECRET_DQ": #"Quo"teSecret\Back"#, "CONVEYOR_SECRET_TAB": "Tab\tSecretValue"]
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"], environment: environment)
        defer { if host.process.isRunning { host.process.terminate() } }
        let answer = try await ServeHost.curl(["-i", host.base + "/stamp", "--data-binary", #"{"id":"A-1"}"#])
        #expect(try await host.stop())
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        #expect(answer.contains(#""source":"***""#) && answer.contains(#""tab":"***""#), "\(answer)")
        for text in [answer, host.log] {
            #expect(!text.contains("teSecret") && !text.contains("SecretValue"), "the secret leaked: \(text)")
        }
    }
}
