import ExecutionStore
import Foundation
import Testing

/// A failed document's error carries a stable code: in the store, `run --json`,
/// `executions show` (text and `--json`) and the REST API.
@Suite("document error codes end to end") struct ErrorCodeEndToEndTests {
    /// A workspace whose process `route` reads `orders` (JSON lines) and writes each document to a
    /// file named by its `customer` property, which none of them has: every document fails there.
    static func routeWorkspace(_ label: String, orders: String) throws -> String {
        try Harness.workspace(label, files: Harness.jsonLinesInbox.merging([
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": """
                <operation id="write" type="disk" action="send"><fileName>{customer}.jsonl</fileName></operation>
                """,
            "processes/route.xml": """
                <process id="route" name="Route">
                  <shapes>
                    <start id="start" next="write"><connector connection="inbox" operation="read"/></start>
                    <connector id="write" connection="outbox" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "in/orders.jsonl": orders,
        ]) { $1 })
    }

    @Test("a document whose file name needs a property it lacks fails with errorCode 'property' everywhere it is shown")
    func errorCodeIsShownWithTheError() async throws {
        let workspace = try Self.routeWorkspace("error-code", orders: "{\"id\": 1}\n{\"id\": 2}\n")
        defer { try? FileManager.default.removeItem(atPath: workspace) }

        let run = try await Harness.conveyor(["run", "route", "--json", "--workspace", workspace])
        #expect(run.status == 1, "\(run.stderr)")
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any])
        let id = try #require(execution["id"] as? String)
        let failed = (execution["documents"] as? [[String: Any]]) ?? []
        #expect(failed.count == 2, "\(execution)")
        #expect(failed.allSatisfy { $0["errorCode"] as? String == "property" }, "\(failed)")
        #expect(failed.allSatisfy { ($0["error"] as? String)?.contains("document property 'customer' is not set") == true })

        let store = try ExecutionStore(path: try WorkspaceStore.location(workspace))
        let records = try store.documents(executionID: id)
        #expect(records.count == 2 && records.allSatisfy { $0.errorCode == "property" }, "\(records)")

        let shown = try await Harness.conveyor(["executions", "show", id, "--json", "--workspace", workspace])
        let shownExecution = try #require(try Harness.json(shown.stdout) as? [String: Any])
        let shownDocuments = (shownExecution["documents"] as? [[String: Any]]) ?? []
        #expect(shownDocuments.count == 2 && shownDocuments.allSatisfy { $0["errorCode"] as? String == "property" },
                "\(shownDocuments)")
        let text = try await Harness.conveyor(["executions", "show", id, "--workspace", workspace])
        #expect(text.stdout.contains("is not set on document 0 [property]"), "\(text.stdout)")

        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let tracked = try #require(
            try Harness.json(try await ServeHost.curl([host.base + "/api/executions/\(id)/documents/1"])) as? [String: Any])
        let rest = (tracked["records"] as? [[String: Any]]) ?? []
        #expect(rest.first?["errorCode"] as? String == "property", "\(tracked)")
        #expect(try await host.stop())
    }

    @Test("the run summary counts every failed document it does not list, past the 1,000 it fetches")
    func summaryCountsEveryFailure() async throws {
        let lines = (0..<1_500).map { "{\"id\": \($0)}" }.joined(separator: "\n") + "\n"
        let workspace = try Self.routeWorkspace("summary-count", orders: lines)
        defer { try? FileManager.default.removeItem(atPath: workspace) }

        let run = try await Harness.conveyor(["run", "route", "--workspace", workspace])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("1500 in, 0 out, 1500 failed"), "\(run.stdout)")
        let listed = run.stdout.split(separator: "\n").filter { $0.hasPrefix("  failed document ") }
        #expect(listed.count == 20, "\(run.stdout)")
        #expect(run.stdout.contains("  … 1480 more failed or dead-lettered documents: conveyor executions show "),
                "\(run.stdout)")
    }

    @Test("a document's line break or terminal escape in an error never forges a line of the summary or reaches the terminal")
    func hostileErrorTextStaysOneLine() async throws {
        let forged = #"../x\nfailed document 99 at shape 'x': forged\u001b[2J\u009b31m"#
        let workspace = try Harness.workspace("hostile-error", files: Harness.jsonLinesInbox.merging([
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": #"<operation id="write" type="disk" action="send"><fileName>{customer}.jsonl</fileName></operation>"#,
            "processes/route.xml": """
                <process id="route" name="Route">
                  <shapes>
                    <start id="start" next="tag"><connector connection="inbox" operation="read"/></start>
                    <setProperties id="tag" next="write">
                      <property scope="document" name="customer"><value source="profile" path="/c"/></property>
                    </setProperties>
                    <connector id="write" connection="outbox" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "in/orders.jsonl": #"{"c": "\#(forged)"}"# + "\n",
        ]) { $1 })
        defer { try? FileManager.default.removeItem(atPath: workspace) }

        let run = try await Harness.conveyor(["run", "route", "--workspace", workspace])
        #expect(run.status == 1, "\(run.stderr)")
        let id = try #require(run.stdout.split(separator: " ").dropFirst().first.map(String.init))
        let shown = try await Harness.conveyor(["executions", "show", id, "--workspace", workspace])
        for output in [run.stdout, shown.stdout] {
            #expect(!output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" }, "\(output)")
            let lines = output.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix("failed document 99") }, "\(output)")
            #expect(lines.contains { $0.hasPrefix("  error: ") && $0.contains(#"../x\u{a}failed document 99 at shape 'x': forged\u{1b}[2J\u{9b}31m"#) },
                    "\(output)")
        }
        #expect(run.stdout.split(separator: "\n").filter { $0.hasPrefix("  failed document ") }.count == 1, "\(run.stdout)")
        // The JSON keeps the message as it is (escaped by JSON itself).
        let json = try await Harness.conveyor(["executions", "show", id, "--json", "--workspace", workspace])
        let error = try #require((try Harness.json(json.stdout) as? [String: Any])?["error"] as? String)
        #expect(error.contains("../x\nfailed document 99 at shape 'x': forged\u{1B}[2J"), "\(error)")
    }
}
