import Foundation
import Testing

/// `conveyor serve` with a secret in use: listeners refuse requests without the right credentials
/// (and run nothing), and the secret never shows in answers, pages, the log or the store file.
@Suite struct SecurityServeTests {
    /// A listener process writing its document to a disk connection whose directory is a secret
    /// that cannot be created, so the run fails with an error that would quote the secret.
    static func workspace() throws -> String {
        let workspace = try Harness.temporaryDirectory("security")
        for folder in ["processes", "connectors", "profiles"] {
            try FileManager.default.createDirectory(atPath: workspace + "/" + folder, withIntermediateDirectories: true)
        }
        try """
            <process id="leak" name="Leak">
              <shapes>
                <start id="start" next="write"><listener path="/leak" method="POST"/></start>
                <connector id="write" connection="vault" operation="drop" next="done"/>
                <stop id="done"/>
              </shapes>
            </process>
            """.write(toFile: workspace + "/processes/leak.xml", atomically: true, encoding: .utf8)
        try """
            <connection id="vault" type="disk"><directory>${secret:VAULT_DIR}</directory></connection>
            """.write(toFile: workspace + "/connectors/vault.xml", atomically: true, encoding: .utf8)
        try """
            <operation id="drop" type="disk" action="send"><fileName>drop.json</fileName></operation>
            """.write(toFile: workspace + "/connectors/drop.xml", atomically: true, encoding: .utf8)
        return workspace
    }

    func status(_ arguments: [String]) throws -> String {
        try ServeHost.curl(["-o", "/dev/null", "-w", "%{http_code}"] + arguments)
    }

    @Test func listenersRejectBadCredentialsAndTheSecretNeverLeaks() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let marker = "conveyor-secret-\(UUID().uuidString.prefix(12))"
        let secret = "/proc/\(marker)/vault"
        let token = "tok-\(UUID().uuidString)"
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--auth", "bearer:E2E_SEC_TOKEN"],
                                             environment: ["CONVEYOR_SECRET_VAULT_DIR": secret,
                                                           "CONVEYOR_SECRET_E2E_SEC_TOKEN": token])
        defer { if host.process.isRunning { host.process.terminate() } }
        let auth = ["-H", "Authorization: Bearer \(token)"]
        let leak = host.base + "/leak"

        // Missing, wrong, truncated or differently-schemed credentials: 401, and nothing runs.
        #expect(try status([leak, "--data-binary", "{}"]) == "401")
        #expect(try status(["-H", "Authorization: Bearer wrong", leak, "--data-binary", "{}"]) == "401")
        #expect(try status(["-H", "Authorization: Bearer \(token.dropLast())", leak, "--data-binary", "{}"]) == "401")
        #expect(try status(["-H", "Authorization: Bearer \(token)x", leak, "--data-binary", "{}"]) == "401")
        #expect(try status(["-u", "user:\(token)", leak, "--data-binary", "{}"]) == "401")
        #expect(try status([host.base + "/api/executions"]) == "401")
        let none = try await ServeHost.curl(auth + [host.base + "/api/executions"])
        let listed = try #require((try Harness.json(none) as? [String: Any])?["executions"] as? [[String: Any]])
        #expect(listed.isEmpty, "a refused request ran the process: \(none)")

        // With the token the run fails, with the secret's path in its error; every view redacts it.
        var answers: [String] = []
        answers.append(try await ServeHost.curl(auth + ["-i", leak, "--data-binary", "{\"id\":1}"]))
        #expect(answers[0].hasPrefix("HTTP/1.1 500"), "\(answers[0])")
        #expect(answers[0].contains("***"), "\(answers[0])")
        answers.append(try await ServeHost.curl(auth + ["-i", "-X", "POST", host.base + "/api/processes/leak/executions",
                                                  "--data-binary", "{}"]))
        let list = try await ServeHost.curl(auth + [host.base + "/api/executions"])
        answers.append(list)
        let executions = try #require((try Harness.json(list) as? [String: Any])?["executions"] as? [[String: Any]])
        #expect(executions.count == 2)
        for execution in executions {
            let id = try #require(execution["id"] as? String)
            #expect(execution["status"] as? String == "ERROR")
            answers.append(try await ServeHost.curl(auth + [host.base + "/api/executions/\(id)"]))
            answers.append(try await ServeHost.curl(auth + [host.base + "/api/executions/\(id)/documents/0"]))
            answers.append(try await ServeHost.curl(auth + [host.base + "/reporting/executions/\(id)"]))
        }
        answers.append(try await ServeHost.curl(auth + [host.base + "/reporting/executions"]))
        answers.append(try await ServeHost.curl(auth + [host.base + "/reporting/executions?status=ERROR"]))
        for answer in answers {
            #expect(!answer.contains(marker), "the secret leaked: \(answer)")
            #expect(!answer.contains(token))
        }
        #expect(answers.contains { $0.contains("***") })

        #expect(try await host.stop())
        let log = host.log
        #expect(!log.contains(marker), "\(log)")
        #expect(!log.contains(token))
        for (file, data) in try WorkspaceStore.persisted(workspace) {
            #expect(data.range(of: Data(marker.utf8)) == nil, "the secret is in \(file)")
            #expect(data.range(of: Data(token.utf8)) == nil, "the token is in \(file)")
        }
    }

    /// A listener process whose answer and tracked field carry a secret value (an API key put in
    /// the document by a message shape).
    static func trackingWorkspace() throws -> String {
        try Harness.workspace("secret-tracking", files: [
            "processes/tracked-fields.xml": #"<trackedFields><field name="apiKey" type="character"/></trackedFields>"#,
            "processes/keyed.xml": """
                <process id="keyed">
                  <shapes>
                    <start id="start" next="compose"><listener path="/keyed" method="POST"/></start>
                    <message id="compose" next="save">
                      <text>{{"key":"{1}","id":"{2}"}}</text>
                      <value source="static" value="${secret:API_KEY}"/>
                      <value source="profile" path="/id"/>
                    </message>
                    <connector id="save" connection="out" operation="save" next="answer"/>
                    <returnDocuments id="answer"/>
                  </shapes>
                </process>
                """,
            "connectors/out.xml": #"<connection id="out" type="disk"><directory>out</directory></connection>"#,
            "connectors/save.xml": """
                <operation id="save" type="disk" action="send"><fileName>keys.jsonl</fileName><append>true</append>\
                <tracking direction="input"><field name="apiKey"><value source="profile" path="/key"/></field></tracking>\
                </operation>
                """,
        ])
    }

    @Test func aSecretInATrackedFieldAndTheAnswerIsRedactedEverywhere() async throws {
        let workspace = try Self.trackingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let secret = "key-\(UUID().uuidString.prefix(13))"
        let environment = ["CONVEYOR_SECRET_API_KEY": secret]
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"], environment: environment)
        defer { if host.process.isRunning { host.process.terminate() } }

        var answers: [String] = []
        let answer = try await ServeHost.curl(["-i", host.base + "/keyed", "--data-binary", #"{"id":"A-1"}"#])
        answers.append(answer)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        #expect(answer.hasSuffix(#"{"key":"***","id":"A-1"}"#), "\(answer)")
        let list = try await ServeHost.curl([host.base + "/api/executions"])
        let executions = try #require((try Harness.json(list) as? [String: Any])?["executions"] as? [[String: Any]])
        let id = try #require(executions.first?["id"] as? String)
        #expect(executions.first?["status"] as? String == "COMPLETE")
        let documents = try await ServeHost.curl([host.base + "/api/executions/\(id)/documents/0"])
        #expect(documents.contains(#""name":"apiKey","truncated":false,"value":"***""#), "\(documents)")
        answers += [list, documents,
                    try await ServeHost.curl([host.base + "/api/tracked?field=apiKey&value=***"]),
                    try await ServeHost.curl([host.base + "/api/tracked?field=apiKey&value=" + secret]),
                    try await ServeHost.curl([host.base + "/reporting/executions/\(id)"]),
                    try await ServeHost.curl([host.base + "/reporting/tracked?field=apiKey&value=***"]),
                    try await ServeHost.curl([host.base + "/reporting/tracked.csv?field=apiKey&value=***"])]
        #expect(try await host.stop())
        answers.append(host.log)
        let show = try await Harness.conveyor(["executions", "show", id, "--workspace", workspace], environment: environment)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("***"), "\(show.stdout)")
        let export = try await Harness.conveyor(["tracked", "export", "--format", "csv", "--workspace", workspace],
                                          environment: environment)
        #expect(export.stdout.contains("apiKey"), "\(export.stdout) \(export.stderr)")
        answers += [show.stdout, show.stderr, export.stdout, export.stderr]
        for answer in answers {
            #expect(!answer.contains(secret), "the secret leaked: \(answer)")
        }
        for (file, data) in try WorkspaceStore.persisted(workspace) {
            #expect(data.range(of: Data(secret.utf8)) == nil, "the secret is in \(file)")
        }
    }
}
