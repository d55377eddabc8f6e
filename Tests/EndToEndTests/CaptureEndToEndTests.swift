import ExecutionStore
import Foundation
import Testing

/// `captureDocuments`: the content of failed documents (or of every document) kept at connector
/// shapes, secret values redacted, cut at `captureLimit`, shown by `executions show --document N`
/// and the REST API (behind its auth), removed with its execution.
@Suite("document contents captured end to end", .serialized)
struct CaptureEndToEndTests {
    static let secret = "SuperSecretValue9"
    static let padding = String(repeating: "x", count: 3000)

    /// Processes `keep-errors` (default mode, limit 1KB, every document fails: its file name needs a
    /// property they lack), `keep-all` (`all`, writes every document) and `keep-none` (`none`, fails).
    static func workspace() throws -> String {
        try Harness.workspace("capture", files: Harness.jsonLinesInbox.merging([
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write-named.xml": """
                <operation id="write-named" type="disk" action="send"><fileName>{customer}-${secret:TAG}.jsonl</fileName></operation>
                """,
            "connectors/write-all.xml": """
                <operation id="write-all" type="disk" action="send"><fileName>all.jsonl</fileName></operation>
                """,
            "processes/keep-errors.xml": process("keep-errors", #"captureLimit="1KB""#, operation: "write-named"),
            "processes/keep-all.xml": process("keep-all", #"captureDocuments="all""#, operation: "write-all"),
            "processes/keep-none.xml": process("keep-none", #"captureDocuments="none""#, operation: "write-named"),
            "in/orders.jsonl": "{\"id\": 1, \"note\": \"\(secret)\"}\n{\"id\": 2, \"pad\": \"\(padding)\"}\n",
        ]) { $1 })
    }

    static func process(_ id: String, _ attributes: String, operation: String) -> String {
        """
        <process id="\(id)" \(attributes)>
          <shapes>
            <start id="start" next="write"><connector connection="inbox" operation="read"/></start>
            <connector id="write" connection="outbox" operation="\(operation)" next="done"/>
            <stop id="done"/>
          </shapes>
        </process>
        """
    }

    static let environment = ["CONVEYOR_SECRET_TAG": secret]

    static func run(_ process: String, in workspace: String) throws -> String {
        let run = try Harness.conveyor(["run", process, "--json", "--workspace", workspace], environment: environment)
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any], "\(run.stderr)")
        return try #require(execution["id"] as? String)
    }

    static func show(_ id: String, _ extra: [String], in workspace: String) throws -> Harness.Output {
        try Harness.conveyor(["executions", "show", id, "--workspace", workspace] + extra, environment: environment)
    }

    @Test("a failed document's content is shown redacted and cut; REST answers the same behind its auth")
    func failedDocumentsAreKept() async throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let id = try Self.run("keep-errors", in: workspace)

        let first = try Self.show(id, ["--document", "0"], in: workspace)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("document #0 at write (input): error"), "\(first.stdout)")
        #expect(first.stdout.contains("[property]"), "\(first.stdout)")
        #expect(first.stdout.contains("\"note\": \"***\""), "\(first.stdout)")
        #expect(first.stdout.contains("disk.file"), "the properties are shown: \(first.stdout)")
        #expect(!first.stdout.contains(Self.secret))
        let second = try Self.show(id, ["--document", "1"], in: workspace)
        #expect(second.stdout.contains("\(3000 + 20) bytes, cut to the first 1024 bytes (captureLimit)"), "\(second.stdout)")
        let raw = try Self.show(id, ["--document", "1", "--raw"], in: workspace)
        #expect(raw.stdout == String(#"{"id": 2, "pad": ""# + Self.padding).prefix(1024), "\(raw.stdout.count)")
        let missing = try Self.show(id, ["--document", "9"], in: workspace)
        #expect(missing.status == 1 && missing.stderr.contains("kept no content of document 9"), "\(missing.stderr)")
        for (file, data) in try WorkspaceStore.persisted(workspace) {
            #expect(data.range(of: Data(Self.secret.utf8)) == nil, "the secret is in \(file)")
        }
        let stored = try ExecutionStore(path: try WorkspaceStore.location(workspace)).documentContents(executionID: id)
        #expect(stored.count == 2)
        #expect(stored.allSatisfy { !String(decoding: $0.content, as: UTF8.self).contains(Self.secret) })

        let token = "tok-\(UUID().uuidString)"
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--auth", "bearer:E2E_CAP_TOKEN"],
                                             environment: Self.environment.merging(["CONVEYOR_SECRET_E2E_CAP_TOKEN": token]) { $1 })
        defer { if host.process.isRunning { host.process.terminate() } }
        let auth = ["-H", "Authorization: Bearer \(token)"]
        let list = host.base + "/api/executions/\(id)/documents"
        let code = ["-o", "/dev/null", "-w", "%{http_code}"]
        #expect(try await ServeHost.curl(code + [list]) == "401")
        #expect(try await ServeHost.curl(code + [list + "/0/content"]) == "401")
        let listed = try #require(try Harness.json(try await ServeHost.curl(auth + [list])) as? [String: Any])
        let documents = try #require(listed["documents"] as? [[String: Any]], "\(listed)")
        #expect(documents.compactMap { $0["index"] as? Int } == [0, 1], "\(documents)")
        #expect(documents.map { $0["cut"] as? Bool } == [false, true])
        #expect(documents.map { $0["status"] as? String } == ["error", "error"])
        #expect(documents.map { $0["shape"] as? String } == ["write", "write"])
        #expect(documents.map { $0["direction"] as? String } == ["input", "input"])
        #expect(documents.last?["size"] as? Int == 3020 && documents.last?["stored"] as? Int == 1024)
        let body = try await ServeHost.curl(auth + ["-D", "-", list + "/1/content?shape=write&direction=input"])
        #expect(body.lowercased().contains("content-type: application/json"), "\(body.prefix(400))")
        #expect(body.hasSuffix(String(raw.stdout)), "\(body.suffix(100))")
        let redacted = try await ServeHost.curl(auth + [list + "/0/content"])
        #expect(redacted == #"{"id": 1, "note": "***"}"#, "\(redacted)")
        #expect(try await ServeHost.curl(auth + code + [list + "/5/content"]) == "404")
        let unknown = try await ServeHost.curl(auth + [host.base + "/api/executions/no-such-execution/documents"])
        #expect((try Harness.json(unknown) as? [String: Any])?["error"] as? String == "no execution 'no-such-execution'",
                "\(unknown)")
        #expect(try await host.stop())

        // Retention removes the contents with their execution.
        let store = try ExecutionStore(path: try WorkspaceStore.location(workspace))
        let checkpoint = try store.purge(startedBefore: Date().addingTimeInterval(60))
        #expect(checkpoint.executionsPurged == 1)
        #expect(try store.documentContents(executionID: id).isEmpty)
        #expect(try Self.show(id, ["--document", "0"], in: workspace).status == 1)
    }

    @Test("captureDocuments all keeps inputs and outputs of every document; none keeps nothing")
    func allAndNone() throws {
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let all = try Self.run("keep-all", in: workspace)
        let store = try ExecutionStore(path: try WorkspaceStore.location(workspace))
        let kept = try store.documentContents(executionID: all)
        #expect(kept.map { "\($0.index) \($0.direction) \($0.status.rawValue)" }
                    == ["0 input success", "0 output success", "1 input success", "1 output success"], "\(kept)")
        #expect(kept.allSatisfy { !$0.cut }, "64KB by default holds both")
        let shown = try Self.show(all, ["--document", "1"], in: workspace)
        #expect(shown.stdout.contains("document #1 at write (input): success"), "\(shown.stdout)")
        #expect(shown.stdout.contains("document #1 at write (output): success"), "\(shown.stdout)")
        let ambiguous = try Self.show(all, ["--document", "1", "--raw"], in: workspace)
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("--shape and --direction"), "\(ambiguous.stderr)")
        let output = try Self.show(all, ["--document", "0", "--raw", "--direction", "output"], in: workspace)
        #expect(output.stdout == #"{"id": 1, "note": "***"}"#, "\(output.stdout)")

        let none = try Self.run("keep-none", in: workspace)
        #expect(try store.documentContents(executionID: none).isEmpty)
        #expect(try store.documents(executionID: none).map(\.status) == [.error, .error], "tracking is unchanged")
    }
}
