import Foundation
import Testing

/// The Process Reporting pages of a real `conveyor serve`, loaded in headless Chromium.
@Suite(.serialized) struct ReportingBrowserTests {
    static let hostileOrder = "<script>alert(1)</script>"

    /// A workspace whose `load-orders` process reads `inbox/*.jsonl` and writes the orders to
    /// `out/orders.jsonl`, tracking each order's id and customer.
    static func workspace() throws -> String {
        let root = try Harness.temporaryDirectory("reporting")
        let files = [
            "processes/tracked-fields.xml": """
                <trackedFields><field name="orderId" type="character"/><field name="customer" type="character"/></trackedFields>
                """,
            "connectors/inbox.xml": #"<connection id="inbox" type="disk"><directory>inbox</directory></connection>"#,
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/read-inbox.xml": """
                <operation id="read-inbox" type="disk" action="get"><filePattern>*.jsonl</filePattern>\
                <split by="json-lines"/><deleteAfterRead>false</deleteAfterRead></operation>
                """,
            "connectors/save-orders.xml": """
                <operation id="save-orders" type="disk" action="send"><fileName>orders.jsonl</fileName>\
                <append>true</append><tracking direction="input">\
                <field name="orderId"><value source="profile" path="/order_id"/></field>\
                <field name="customer"><value source="profile" path="/customer"/></field></tracking></operation>
                """,
            "processes/load-orders.xml": """
                <process id="load-orders" name="Load orders">
                  <shapes>
                    <start id="start" next="save"><connector connection="inbox" operation="read-inbox"/></start>
                    <connector id="save" connection="outbox" operation="save-orders" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "inbox/orders.jsonl": """
                {"order_id": "B-1001", "customer": "Ada & Co"}
                {"order_id": "B-1002", "customer": "Grace \\"GH\\" Ltd"}
                {"order_id": "\(hostileOrder)", "customer": "<img src=x onerror=alert(2)>"}

                """,
        ]
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func pagesLoadInChromiumAndEscapeValues() async throws {
        _ = try Chromium.executable()
        let workspace = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        for _ in 0..<2 {
            let run = try await Harness.conveyor(["run", "load-orders", "--workspace", workspace])
            #expect(run.status == 0, "conveyor run: \(run.stdout) \(run.stderr)")
        }
        let environment = ["CONVEYOR_SECRET_REPORT_USER": "auditor", "CONVEYOR_SECRET_REPORT_PASSWORD": "s3cret pw"]
        let host = try await ServeHost.start(workspace: workspace,
                                             arguments: ["--auth", "basic:REPORT_USER:REPORT_PASSWORD"],
                                             environment: environment)
        defer { if host.process.isRunning { host.process.terminate() } }
        let base = host.base.replacingOccurrences(of: "http://", with: "http://auditor:s3cret%20pw@")

        // Without credentials the page is refused, with them it loads.
        let refused = try await ServeHost.curl(["-o", "/dev/null", "-w", "%{http_code}", host.base + "/reporting/executions"])
        #expect(refused == "401")

        // The executions list.
        let list = try await Chromium.dumpDOM(base + "/reporting/executions")
        #expect(list.contains("<table id=\"executions\">"))
        #expect(list.components(separatedBy: "<tr class=\"execution\">").count == 3)
        #expect(list.contains("Load orders"))
        #expect(list.contains("<form class=\"filters\" method=\"get\" action=\"/reporting/executions\" id=\"filters\">"))
        try await Chromium.screenshot(base + "/reporting/executions", name: "reporting-executions")
        let filtered = try await Chromium.dumpDOM(base + "/reporting/executions?process=load-orders&status=COMPLETE&trigger=manual")
        #expect(filtered.components(separatedBy: "<tr class=\"execution\">").count == 3)
        let none = try await Chromium.dumpDOM(base + "/reporting/executions?trigger=schedule")
        #expect(none.contains("id=\"no-executions\""))

        // On an SQLite store the hosts page says the host is in no cluster; on PostgreSQL the host
        // is a cluster host and the page lists it.
        let hostsPage = try await Chromium.dumpDOM(base + "/reporting/hosts")
        #expect(hostsPage.contains("<a href=\"/reporting/hosts\" aria-current=\"page\">Hosts</a>"))
        #expect(hostsPage.contains("id=\"not-a-cluster\"") == WorkspaceStore.onSQLite, "\(hostsPage)")
        #expect(hostsPage.contains("<table id=\"hosts\">") == WorkspaceStore.onPostgres, "\(hostsPage)")

        // The search finds a known order and links to its executions.
        let search = try await Chromium.dumpDOM(base + "/reporting/tracked?field=orderId&value=B-1002")
        #expect(search.contains("2 documents with"))
        #expect(search.contains("Grace \"GH\" Ltd"))
        #expect(search.components(separatedBy: "<tr class=\"match\">").count == 3)
        try await Chromium.screenshot(base + "/reporting/tracked?field=orderId&value=B-1002", name: "reporting-search")
        let executionID = try #require(Self.firstExecutionLink(in: search))

        // The execution detail.
        let detail = try await Chromium.dumpDOM(base + "/reporting/executions/" + executionID)
        #expect(detail.contains("<dl class=\"summary\" id=\"summary\">"))
        #expect(detail.contains("status-complete"))
        #expect(detail.contains("<table id=\"shapes\">"))
        #expect(detail.contains("<table id=\"documents\">"))
        #expect(detail.contains("B-1001"))
        #expect(detail.contains("Ada &amp; Co"))
        try await Chromium.screenshot(base + "/reporting/executions/" + executionID, name: "reporting-execution-complete")

        // An order id holding a script element is text: no script or img element in the DOM.
        let encoded = Self.hostileOrder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let hostile = try await Chromium.dumpDOM(base + "/reporting/tracked?field=orderId&value=" + encoded)
        #expect(hostile.contains("2 documents with"))
        #expect(!hostile.lowercased().contains("<script"))
        #expect(!hostile.lowercased().contains("<img"))
        #expect(hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(hostile.contains("&lt;img src=x onerror=alert(2)&gt;"))
        #expect(!detail.lowercased().contains("<script"))
        try await Chromium.screenshot(base + "/reporting/tracked?field=orderId&value=" + encoded, name: "reporting-hostile")

        // The CSV export of the search.
        let csv = try await ServeHost.curl(["-u", "auditor:s3cret pw", host.base + "/reporting/tracked.csv?field=orderId&value=B-1001"])
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 5)   // header, then orderId and customer of two documents
        #expect(lines.first?.hasPrefix("sequence,execution_id,process_id") == true)
        #expect(lines.dropFirst().allSatisfy { $0.contains(",load-orders,save,input,0,success,") })
        #expect(try await host.stop())
    }

    /// The reporting workspace plus `fail-orders`, whose connector shape fails every document (its
    /// file name needs a property the documents lack), so their contents are kept.
    static func failingWorkspace() throws -> String {
        let root = try workspace()
        let files = [
            "connectors/save-named.xml": """
                <operation id="save-named" type="disk" action="send"><fileName>{nosuch}.jsonl</fileName></operation>
                """,
            "processes/fail-orders.xml": """
                <process id="fail-orders" name="Fail orders">
                  <shapes>
                    <start id="start" next="save"><connector connection="inbox" operation="read-inbox"/></start>
                    <connector id="save" connection="outbox" operation="save-named" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "inbox/more.jsonl": #"{"order_id": "C-1", "customer": "</pre><b>bold</b>"}"# + "\n",
        ]
        for (path, text) in files { try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8) }
        return root
    }

    @Test func processDiagramsAndDocumentContentsLoadInChromium() async throws {
        _ = try Chromium.executable()
        let workspace = try Self.failingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = try await Harness.conveyor(["run", "fail-orders", "--json", "--workspace", workspace])
        let execution = try #require(try? Harness.json(run.stdout) as? [String: Any], "\(run.stdout) \(run.stderr)")
        let executionID = try #require(execution["id"] as? String)
        let host = try await ServeHost.start(workspace: workspace, arguments: ["--no-auth"])
        defer { if host.process.isRunning { host.process.terminate() } }
        let base = host.base

        // Every process with its diagram.
        let processes = try await Chromium.dumpDOM(base + "/reporting/processes")
        #expect(processes.contains("id=\"process-fail-orders\""))
        #expect(processes.contains("id=\"process-load-orders\""))
        #expect(processes.contains("data-shape=\"save\""))
        #expect(processes.contains("<code class=\"listener\">") == false)
        #expect(processes.contains("href=\"/reporting/executions/\(executionID)\""))
        try await Chromium.screenshot(base + "/reporting/processes", name: "reporting-processes")

        // The execution's diagram: the failing shape is marked with its counts.
        let detail = try await Chromium.dumpDOM(base + "/reporting/executions/" + executionID)
        #expect(detail.contains("id=\"execution-diagram\""))
        #expect(detail.contains("class=\"shape kind-connector failed\" id=\"shape-save\""), "\(detail)")
        #expect(detail.contains("4 in, 0 out, 4 failed"), "\(detail)")
        #expect(detail.contains("<table id=\"shapes\">"))
        #expect(detail.contains("<a class=\"content-link\" href=\"/reporting/executions/\(executionID)/documents/"))
        try await Chromium.screenshot(base + "/reporting/executions/" + executionID, name: "reporting-execution")

        // Each failed document's content is text in the page, the hostile ones too.
        var pages: [Int: String] = [:]
        for index in 0..<4 {
            pages[index] = try await Chromium.dumpDOM(base + "/reporting/executions/\(executionID)/documents/\(index)")
        }
        for page in pages.values {
            #expect(page.contains("<pre class=\"content\">"))
            #expect(!page.lowercased().contains("<script"))
            #expect(!page.lowercased().contains("<img"))
            #expect(!page.contains("<b>bold</b>"))
        }
        let hostile = try #require(pages.first { $0.value.contains("&lt;script&gt;alert(1)&lt;/script&gt;") })
        #expect(pages.values.contains { $0.contains("&lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt;") })
        #expect(hostile.value.contains("[property]"))
        try await Chromium.screenshot(base + "/reporting/executions/\(executionID)/documents/\(hostile.key)",
                                name: "reporting-document")
        #expect(try await host.stop())
    }

    /// The first `/reporting/executions/<id>` link of a page.
    static func firstExecutionLink(in page: String) -> String? {
        guard let range = page.range(of: "href=\"/reporting/executions/") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" && $0 != "?" })
    }
}
