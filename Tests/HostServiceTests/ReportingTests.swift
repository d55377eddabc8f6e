import ExecutionStore
import Foundation
@testable import HostService
import Logging
import Testing

/// The reporting pages served by a real server over a seeded store.
@Suite(.serialized) struct ReportingTests {
    static let hostile = "<script>alert(1)</script>\"'&"

    /// A store with a parent execution (3 documents, one failed, one with a hostile order id) and a child.
    static func seededStore() throws -> ExecutionStore {
        let store = try TestHost.store()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var parent = ExecutionRecord(id: "ex-parent-0001", processID: "orders", processName: "Orders <to> BQ",
                                     trigger: "schedule", startTime: start)
        try store.insert(parent)
        try store.record(documents: [
            DocumentRecord(executionID: parent.id, shapeID: "insert", direction: "input", index: 0,
                           trackedValues: [TrackedValue(name: "orderId", value: "A-17")], recordedAt: start),
            DocumentRecord(executionID: parent.id, shapeID: "insert", direction: "input", index: 1,
                           trackedValues: [TrackedValue(name: "orderId", value: hostile)], recordedAt: start),
            DocumentRecord(executionID: parent.id, shapeID: "insert", direction: "input", index: 2, status: .error,
                           error: "row 2: <bad> value", errorCode: "rejected<x>",
                           trackedValues: [TrackedValue(name: "orderId", value: "A-19")],
                           recordedAt: start),
        ])
        parent.status = .completeWarn
        parent.endTime = start.addingTimeInterval(1.25)
        parent.documentsIn = 3
        parent.documentsError = 1
        parent.shapeCounts = [ShapeCount(shapeID: "start", documentsIn: 3, documentsOut: 3),
                              ShapeCount(shapeID: "insert", documentsIn: 3, documentsOut: 2, documentsError: 1)]
        parent.userLog = ["loaded <3> orders", "done & dusted"]
        try store.update(parent)
        let child = ExecutionRecord(id: "ex-child-0002", processID: "notify", processName: "Notify",
                                    trigger: "subprocess", status: .error, startTime: start.addingTimeInterval(1),
                                    endTime: start.addingTimeInterval(2), error: "boom <here>",
                                    parentExecutionID: parent.id)
        try store.insert(child)
        try store.update(child)
        return store
    }

    static func withReporting<T>(_ store: ExecutionStore, routes: ReportingRoutes = ReportingRoutes(),
                                 _ body: (String) async throws -> T) async throws -> T {
        let configuration = HostConfiguration(port: 0, authentication: .basic(user: "ops", password: "pw"))
        let server = HostServer(configuration: configuration, host: TestHost.host(TestHost.workspace(), store: store),
                                store: store, logger: Logger(label: "test"), extraRoutes: [routes])
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { port in continuation.yield(port) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body("http://127.0.0.1:\(port)")
    }

    static let auth = ["Authorization": "Basic " + Data("ops:pw".utf8).base64EncodedString()]

    static func get(_ url: String) async throws -> (status: Int, headers: [String: String], body: String) {
        try await TestHost.request(url, headers: auth)
    }

    @Test func escapingCoversTextAndAttributes() {
        #expect(HTML.escape(Self.hostile) == "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;")
        let value = "a\"b<c"
        let fragment: HTML = "<input value=\"\(value)\"><b>\(HTML(markup: "<i>kept</i>"))</b>"
        #expect(fragment.markup == "<input value=\"a&quot;b&lt;c\"><b><i>kept</i></b>")
        let url = ReportingURL("/reporting/tracked", [("field", "order Id"), ("value", "a&b=<c>/é"), ("none", nil)])
        #expect(url.text == "/reporting/tracked?field=order%20Id&value=a%26b%3D%3Cc%3E%2F%C3%A9")
        #expect(ReportingURL.execution("x/y?z", page: 2).text == "/reporting/executions/x%2Fy%3Fz?page=2")
    }

    @Test func pagesNeedAuthenticationAndForbidScripts() async throws {
        try await Self.withReporting(try Self.seededStore()) { base in
            let anonymous = try await TestHost.request(base + "/reporting/executions")
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Basic") == true)
            let page = try await Self.get(base + "/reporting/executions")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.headers["content-security-policy"]?.contains("script-src 'none'") == true)
            #expect(page.headers["x-content-type-options"] == "nosniff")
            #expect(!page.body.contains("<script"))
            let root = try await Self.get(base + "/reporting/")
            #expect(root.status == 303)
            #expect(root.headers["location"] == "/reporting/executions")
        }
    }

    @Test func executionListFiltersAndPages() async throws {
        try await Self.withReporting(try Self.seededStore(), routes: ReportingRoutes(executionsPerPage: 1)) { base in
            let first = try await Self.get(base + "/reporting/executions")
            #expect(first.body.contains("ex-child-0002"))          // newest first
            #expect(!first.body.contains(">ex-parent-0001<"))
            #expect(first.body.contains("href=\"/reporting/executions?page=2\""))
            let second = try await Self.get(base + "/reporting/executions?page=2")
            #expect(second.body.contains(">ex-parent-0001<"))
            #expect(second.body.contains("Orders &lt;to&gt; BQ"))
            #expect(!second.body.contains("rel=\"next\""))
            let filtered = try await Self.get(base + "/reporting/executions?status=complete_warn&trigger=schedule"
                + "&from=2027-01-15%2008:00&to=2027-01-16")
            #expect(filtered.body.contains(">ex-parent-0001<"))
            #expect(!filtered.body.contains(">ex-child-0002<"))
            #expect(filtered.body.contains("<option selected value=\"COMPLETE_WARN\">"))
            let none = try await Self.get(base + "/reporting/executions?process=notify&status=COMPLETE")
            #expect(none.body.contains("id=\"no-executions\""))
            let bad = try await Self.get(base + "/reporting/executions?status=DONE&from=yesterday")
            #expect(bad.status == 400)
            #expect(bad.body.contains("status &#39;DONE&#39; is not one of"))
            #expect(bad.body.contains("from &#39;yesterday&#39; is not a time"))
        }
    }

    @Test func executionDetailShowsEverythingEscaped() async throws {
        try await Self.withReporting(try Self.seededStore(), routes: ReportingRoutes(documentsPerPage: 2)) { base in
            let page = try await Self.get(base + "/reporting/executions/ex-parent-0001")
            #expect(page.status == 200)
            let body = page.body
            #expect(body.contains("status-complete_warn"))
            #expect(body.contains("<td class=\"mono\">insert</td><td class=\"num\">3</td><td class=\"num\">2</td>"
                + "<td class=\"num\">1</td>"))
            #expect(body.contains("<li>loaded &lt;3&gt; orders</li><li>done &amp; dusted</li>"))
            #expect(body.contains("href=\"/reporting/executions/ex-child-0002\""))
            #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"))
            #expect(!body.contains("<script"))
            #expect(body.contains("A-17"))
            #expect(!body.contains("A-19"))                          // on page 2
            #expect(body.contains("href=\"/reporting/executions/ex-parent-0001?page=2\""))
            let second = try await Self.get(base + "/reporting/executions/ex-parent-0001?page=2")
            #expect(second.body.contains("A-19"))
            #expect(second.body.contains("row 2: &lt;bad&gt; value"))
            #expect(second.body.contains("<span class=\"muted error-code\">[rejected&lt;x&gt;]</span>"))
            let child = try await Self.get(base + "/reporting/executions/ex-none")
            #expect(child.status == 404)
            let byPrefix = try await Self.get(base + "/reporting/executions/ex-child-0")
            #expect(byPrefix.body.contains("boom &lt;here&gt;"))
            #expect(byPrefix.body.contains("id=\"parent\""))
            #expect(byPrefix.body.contains("id=\"no-documents\""))
        }
    }

    @Test func bigExecutionsListOnlyFailedDocuments() async throws {
        try await Self.withReporting(try Self.seededStore(), routes: ReportingRoutes(documentListLimit: 2)) { base in
            let page = try await Self.get(base + "/reporting/executions/ex-parent-0001")
            #expect(page.body.contains("id=\"documents-note\""))
            #expect(page.body.contains("A-19"))
            #expect(!page.body.contains("A-17"))
        }
    }

    @Test func trackedSearchFindsAndExportsCSV() async throws {
        try await Self.withReporting(try Self.seededStore()) { base in
            let form = try await Self.get(base + "/reporting/tracked")
            #expect(form.status == 200)
            #expect(form.body.contains("id=\"search\""))
            let value = ReportingURL.percentEncoded(Self.hostile)
            let found = try await Self.get(base + "/reporting/tracked?field=orderId&value=" + value)
            #expect(found.body.contains("1 document with"))
            #expect(found.body.contains("href=\"/reporting/executions/ex-parent-0001\""))
            #expect(found.body.contains("href=\"/reporting/tracked.csv?field=orderId&amp;value=\(value)\""))
            #expect(!found.body.contains("<script"))
            let missing = try await Self.get(base + "/reporting/tracked?field=orderId&value=Z-1")
            #expect(missing.body.contains("id=\"no-matches\""))
            let incomplete = try await Self.get(base + "/reporting/tracked?field=orderId")
            #expect(incomplete.status == 400)
            let csv = try await Self.get(base + "/reporting/tracked.csv?field=orderId&value=A-17")
            #expect(csv.status == 200)
            #expect(csv.headers["content-type"] == "text/csv; charset=utf-8")
            #expect(csv.headers["content-disposition"] == "attachment; filename=\"tracked-orderId-A-17.csv\"")
            let lines = csv.body.components(separatedBy: "\r\n")
            #expect(lines.first == TrackedRecord.csvHeader.trimmingCharacters(in: .newlines))
            #expect(lines.count == 3)
            #expect(lines[1].hasPrefix("1,ex-parent-0001,orders,insert,input,0,success,orderId,A-17,false,"))
        }
    }
}
