import ExecutionStore
import Foundation
@testable import HostService
import Logging
import ProcessDiagram
import ProcessModel
import Testing

/// The processes pages, the execution diagram and the document content pages, served by a real
/// server over a seeded store.
@Suite(.serialized) struct ReportingProcessPagesTests {
    static let hostile = "<script>alert(1)</script>"
    static let secret = "Tok3nValue99"

    /// The test workspace plus a process whose connector names a secret value.
    static func workspace() -> Workspace {
        var workspace = TestHost.workspace(schedules: [ScheduleDefinition(cron: "*/5 * * * *", timezone: "Europe/Paris",
                                                                          location: TestHost.here)])
        let secretive = TestHost.process("secretive", shapes: [
            TestHost.shape("start", .start(.noData, next: "call")),
            TestHost.shape("call", .connector(connection: "slow", operation: secret, next: "done")),
            TestHost.shape("done", .stop(continue: true)),
        ])
        workspace.processes[secretive.id] = secretive
        workspace.secretValues = [secret]
        return workspace
    }

    /// Two executions of `slow` (the newer failed at `wait`, with kept contents) and one of a
    /// process the workspace no longer has.
    static func seededStore() throws -> ExecutionStore {
        let store = try TestHost.store()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let old = ExecutionRecord(id: "ex-slow-0001", processID: "slow", processName: "slow", trigger: "manual",
                                  status: .complete, startTime: start, endTime: start.addingTimeInterval(1))
        try store.insert(old)
        try store.update(old)
        var failed = ExecutionRecord(id: "ex-slow-0002", processID: "slow", processName: "slow", trigger: "schedule",
                                     startTime: start.addingTimeInterval(10))
        try store.insert(failed)
        try store.record(documents: [
            DocumentRecord(executionID: failed.id, shapeID: "wait", direction: "input", index: 0, recordedAt: start),
            DocumentRecord(executionID: failed.id, shapeID: "wait", direction: "input", index: 1, status: .error,
                           error: "bad <thing>", errorCode: "connector", recordedAt: start),
            DocumentRecord(executionID: failed.id, shapeID: "wait", direction: "input", index: 2, status: .deadLettered,
                           error: "queue full", recordedAt: start),
        ])
        let json = #"{"order": "\#(hostile)", "note": "</pre><b>x</b>", "n": 1.50}"#
        try store.record(contents: [
            DocumentContentRecord(executionID: failed.id, shapeID: "wait", connectionID: "slow", operationID: "wait",
                                  direction: "input", index: 1, status: .error, content: Array(json.utf8),
                                  properties: ["hostile": hostile + "</pre>", "disk.file": "a.json"],
                                  error: "bad <thing>", errorCode: "connector", recordedAt: start),
            DocumentContentRecord(executionID: failed.id, shapeID: "wait", direction: "input", index: 2,
                                  status: .deadLettered, content: Array(#"<a><b>1</b><c x="&lt;"/></a>"#.utf8),
                                  error: "queue full", recordedAt: start),
        ])
        failed.status = .error
        failed.endTime = start.addingTimeInterval(12)
        failed.documentsIn = 3
        failed.documentsError = 1
        failed.documentsDeadLettered = 1
        failed.shapeCounts = [ShapeCount(shapeID: "start", documentsIn: 3, documentsOut: 3),
                              ShapeCount(shapeID: "wait", documentsIn: 3, documentsOut: 1, documentsError: 1),
                              ShapeCount(shapeID: "done", documentsIn: 1, documentsOut: 1)]
        try store.update(failed)
        let gone = ExecutionRecord(id: "ex-gone-0003", processID: "retired", processName: "Retired", trigger: "manual",
                                   status: .complete, startTime: start, endTime: start)
        try store.insert(gone)
        try store.update(gone)
        return store
    }

    static func withReporting<T>(_ body: (String) async throws -> T) async throws -> T {
        let store = try seededStore()
        let configuration = HostConfiguration(port: 0, authentication: .basic(user: "ops", password: "pw"))
        let server = HostServer(configuration: configuration, host: TestHost.host(workspace(), store: store),
                                store: store, logger: Logger(label: "test"), extraRoutes: [ReportingRoutes()])
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { port in continuation.yield(port) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body("http://127.0.0.1:\(port)")
    }

    static func get(_ url: String) async throws -> (status: Int, headers: [String: String], body: String) {
        try await ReportingTests.get(url)
    }

    @Test func processesListEveryProcessWithItsDiagram() async throws {
        try await Self.withReporting { base in
            let anonymous = try await TestHost.request(base + "/reporting/processes")
            #expect(anonymous.status == 401)
            let page = try await Self.get(base + "/reporting/processes")
            #expect(page.status == 200)
            let body = page.body
            #expect(body.contains("<a href=\"/reporting/processes\" aria-current=\"page\">Processes</a>"))
            let ids = ["echo", "fail", "plain", "secretive", "slow", "two"]
            let positions = ids.compactMap { body.range(of: "id=\"process-\($0)\"")?.lowerBound }
            #expect(positions.count == ids.count && positions == positions.sorted())
            #expect(body.components(separatedBy: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"conveyor-diagram\"").count == 7)
            #expect(body.contains("<code class=\"listener\">POST /echo</code>"))
            #expect(body.contains("<code class=\"schedule\">*/5 * * * *</code> <span class=\"muted\">Europe/Paris</span>"))
            #expect(body.contains("href=\"/reporting/executions?process=slow&amp;status=COMPLETE\">"
                + "<span class=\"status status-complete\">COMPLETE</span> <span class=\"count\">1</span></a>"))
            #expect(body.contains("<span class=\"status status-error\">ERROR</span> <span class=\"count\">1</span>"))
            #expect(body.contains("href=\"/reporting/executions/ex-slow-0002\""))       // the last execution
            #expect(!body.contains(Self.secret))                                        // redacted in the diagram
            #expect(!body.contains("<script"))
            let one = try await Self.get(base + "/reporting/processes/slow")
            #expect(one.status == 200)
            #expect(one.body.contains("id=\"diagram\""))
            #expect(one.body.contains("<tr class=\"execution\">"))
            #expect(one.body.contains("href=\"/reporting/executions?process=slow\""))
            let secretive = try await Self.get(base + "/reporting/processes/secretive")
            #expect(secretive.body.contains("data-shape=\"call\"") && !secretive.body.contains(Self.secret))
            let missing = try await Self.get(base + "/reporting/processes/no-such")
            #expect(missing.status == 404)
            #expect(missing.body.contains("no process &#39;no-such&#39;"))
        }
    }

    @Test func executionPageDrawsTheAnnotatedDiagram() async throws {
        try await Self.withReporting { base in
            let page = try await Self.get(base + "/reporting/executions/ex-slow-0002")
            #expect(page.status == 200)
            let body = page.body
            #expect(body.contains("id=\"execution-diagram\""))
            #expect(body.contains("<g class=\"shape kind-connector failed\" id=\"shape-wait\" data-shape=\"wait\">"))
            #expect(body.contains("3 in, 1 out, 1 failed, 1 dead-lettered"))
            #expect(body.contains("<g class=\"shape kind-start ok\""))
            #expect(body.contains("<table id=\"shapes\">"))                                  // the table stays
            // Documents with kept contents link to their page; others do not.
            #expect(body.contains("<a class=\"content-link\" href=\"/reporting/executions/ex-slow-0002/documents/1\">1</a>"))
            #expect(body.contains("<a class=\"content-link\" href=\"/reporting/executions/ex-slow-0002/documents/2\">2</a>"))
            #expect(!body.contains("/documents/0\""))
            let gone = try await Self.get(base + "/reporting/executions/ex-gone-0003")
            #expect(gone.body.contains("id=\"no-diagram\""))
            #expect(gone.body.contains("<code>retired</code> is no longer in the workspace"))
        }
    }

    @Test func documentPageShowsContentsAsText() async throws {
        try await Self.withReporting { base in
            let page = try await Self.get(base + "/reporting/executions/ex-slow-0002/documents/1")
            #expect(page.status == 200)
            #expect(page.headers["content-security-policy"]?.contains("script-src 'none'") == true)
            let body = page.body
            #expect(!body.contains("<script"))
            #expect(!body.contains("<b>x</b>"))
            #expect(body.components(separatedBy: "</pre>").count == 2)                    // only the page's own
            #expect(body.contains("&quot;order&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;"))
            #expect(body.contains("&quot;n&quot;: 1.50"))                                   // numbers as written
            #expect(body.contains("<td class=\"mono\">hostile</td><td class=\"mono\">&lt;script&gt;alert(1)"
                + "&lt;/script&gt;&lt;/pre&gt;</td>"))
            #expect(body.contains("bad &lt;thing&gt; <span class=\"muted error-code\">[connector]</span>"))
            #expect(body.contains("href=\"/reporting/executions/ex-slow-0002/documents/1/raw?shape=wait&amp;direction=input\""))
            let xml = try await Self.get(base + "/reporting/executions/ex-slow-0002/documents/2")
            #expect(xml.body.contains("&lt;a&gt;\n  &lt;b&gt;1&lt;/b&gt;\n  &lt;c x=&quot;&amp;lt;&quot;/&gt;\n&lt;/a&gt;"))
            #expect(xml.body.contains("status-dead-lettered"))
            let none = try await Self.get(base + "/reporting/executions/ex-slow-0002/documents/0")
            #expect(none.status == 404)
            #expect(none.body.contains("<code>captureDocuments</code> may be <code>none</code>"))
            let bad = try await Self.get(base + "/reporting/executions/ex-slow-0002/documents/x")
            #expect(bad.status == 400)
            let unknown = try await Self.get(base + "/reporting/executions/ex-nothing/documents/1")
            #expect(unknown.status == 404)
        }
    }

    @Test func rawContentIsAnAttachment() async throws {
        try await Self.withReporting { base in
            let raw = try await Self.get(base + "/reporting/executions/ex-slow-0002/documents/1/raw?shape=wait&direction=input")
            #expect(raw.status == 200)
            #expect(raw.headers["content-type"] == "application/octet-stream")
            #expect(raw.headers["content-disposition"] == "attachment; filename=\"document-1-wait-input.json\"")
            #expect(raw.headers["x-content-type-options"] == "nosniff")
            #expect(raw.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            #expect(raw.body.hasPrefix(#"{"order": "<script>"#))
            let single = try await Self.get(base + "/reporting/executions/ex-slow-0002/documents/2/raw")
            #expect(single.status == 200 && single.body.hasPrefix("<a><b>"))
            let missing = try await Self.get(base + "/reporting/executions/ex-slow-0002/documents/1/raw?shape=other")
            #expect(missing.status == 404)
        }
    }

    @Test func annotationsClassifyShapes() {
        let annotations = ReportingPages.annotations(
            [ShapeCount(shapeID: "a", documentsIn: 2, documentsOut: 2),
             ShapeCount(shapeID: "b", documentsIn: 2, documentsOut: 1),
             ShapeCount(shapeID: "c", documentsIn: 2, documentsOut: 1, documentsError: 1)],
            deadLettered: ["b": 1, "x": 3])
        #expect(annotations["a"] == ShapeAnnotation(text: "2 in, 2 out", cssClass: "ok"))
        #expect(annotations["b"] == ShapeAnnotation(text: "2 in, 1 out, 1 dead-lettered", cssClass: "warn"))
        #expect(annotations["c"] == ShapeAnnotation(text: "2 in, 1 out, 1 failed", cssClass: "failed"))
        #expect(annotations["x"] == ShapeAnnotation(text: "3 dead-lettered", cssClass: "warn"))
    }

    @Test func contentFormatterIndentsSimpleXMLOnly() {
        #expect(ContentFormatter.indentedXML("<?xml version=\"1.0\"?><r a=\"x>y\"><i>1</i><e/></r>")
            == "<?xml version=\"1.0\"?>\n<r a=\"x>y\">\n  <i>1</i>\n  <e/>\n</r>")
        #expect(ContentFormatter.indentedXML("<r>text<i>1</i></r>") == nil)                  // mixed content
        #expect(ContentFormatter.indentedXML("<r><i>1</r>") == nil)                          // unbalanced
        #expect(ContentFormatter.indentedXML("<!DOCTYPE r><r/>") == nil)
        #expect(ContentFormatter.readable([0xFF, 0x00], cut: false).text == "ff 00")
        #expect(ContentFormatter.readable(Array("plain".utf8), cut: false) == ("plain", "text"))
    }
}
