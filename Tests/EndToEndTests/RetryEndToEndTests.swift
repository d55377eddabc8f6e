import ExecutionStore
import Foundation
import Testing

/// Retry of failed documents: the kept content of each document that failed at a connector shape
/// is sent into that shape again by `conveyor executions retry`, `POST /api/executions/{id}/retry`
/// and the execution page's form, and the rows land in the emulator once.
@Suite("retry of failed documents end to end", .serialized)
struct RetryEndToEndTests {
    /// The sample workspace writing to a dataset of its own, whose table does not exist yet: every
    /// order fails at the `insert` shape.
    static func workspace() throws -> (root: String, dataset: String) {
        let root = try Harness.sampleWorkspace()
        let dataset = Harness.uniqueDataset()
        let path = root + "/processes/orders-to-bigquery.xml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: #"<property name="dataset" value="sales"/>"#,
                                      with: #"<property name="dataset" value="\#(dataset)"/>"#)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return (root, dataset)
    }

    /// Runs the sample process; returns the execution JSON.
    static func runFailing(in root: String) async throws -> [String: Any] {
        let run = try await Harness.conveyor(["run", "orders-to-bigquery", "--workspace", root, "--json"])
        #expect(run.status == 1, "every row fails while the table is missing: \(run.stdout) \(run.stderr)")
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any], "\(run.stderr)")
        #expect(execution["documentsError"] as? Int == 5, "\(execution)")
        return execution
    }

    static func count(_ dataset: String, in root: String) async throws -> String {
        try await Harness.bq(["count", "\(dataset).orders"], in: root).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("conveyor executions retry lands the failed rows once; two retries at once send them once")
    func commandLineRetry() async throws {
        let (root, dataset) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let original = try #require(try await Self.runFailing(in: root)["id"] as? String)

        // Retried while the cause is still there: the retry fails the same way and keeps the documents again.
        let early = try await Harness.conveyor(["executions", "retry", original, "--workspace", root, "--json"])
        #expect(early.status == 1, "\(early.stdout) \(early.stderr)")
        let earlyExecution = try #require(try Harness.json(early.stdout) as? [String: Any], "\(early.stderr)")
        #expect(earlyExecution["id"] as? String == original + "-retry")
        #expect(earlyExecution["trigger"] as? String == "retry")
        #expect(earlyExecution["parentExecutionId"] as? String == original, "\(earlyExecution)")
        #expect(earlyExecution["documentsIn"] as? Int == 5 && earlyExecution["documentsError"] as? Int == 5)

        _ = try await Harness.bq(["create-table", "\(dataset).orders", "samples/orders-table.json"], in: root)

        // The original was retried already: refused, naming the retry, sending nothing.
        let again = try await Harness.conveyor(["executions", "retry", original, "--workspace", root])
        #expect(again.status == 1)
        #expect(again.stderr.contains("was already retried by \(original)-retry (ERROR"), "\(again.stderr)")
        #expect(try await Self.count(dataset, in: root) == "0")

        // Two retries of the retry at once: one sends the rows, the other is refused.
        let retryID = original + "-retry"
        async let first = offloaded { try Harness.conveyor(["executions", "retry", retryID, "--workspace", root]) }
        async let second = offloaded { try Harness.conveyor(["executions", "retry", retryID, "--workspace", root]) }
        let outcomes = try await [first, second]
        #expect(outcomes.filter { $0.status == 0 }.count == 1,
                "exactly one retry runs: \(outcomes.map { "\($0.status) \($0.stdout) \($0.stderr)" })")
        let refused = try #require(outcomes.first { $0.status != 0 })
        #expect(refused.stderr.contains("already running") || refused.stderr.contains("retried"), "\(refused.stderr)")
        #expect(try await Self.count(dataset, in: root) == "5")
        let rows = try Harness.jsonLines(try await Harness.bq(["rows", "\(dataset).orders", "order_id"], in: root))
        #expect(rows.map { $0["order_id"] as? Int } == [1001, 1002, 1003, 1004, 1005])

        // The successful retry has nothing left to retry; the rows are still there once.
        let done = try await Harness.conveyor(["executions", "retry", retryID + "-retry", "--workspace", root])
        #expect(done.status == 1 && done.stderr.contains("nothing to retry: no document failed"), "\(done.stderr)")
        #expect(try await Self.count(dataset, in: root) == "5")
        let list = try await Harness.conveyor(["executions", "list", "--json", "--workspace", root])
        let listed = try #require(try Harness.json(list.stdout) as? [[String: Any]], "\(list.stdout)")
        #expect(listed.map { "\($0["trigger"] ?? "") \($0["status"] ?? "")" }.sorted()
                    == ["manual ERROR", "retry COMPLETE", "retry ERROR"], "\(listed)")
    }

    @Test("REST and the page's form retry behind auth and a CSRF token; a refused form sends nothing")
    func hostRetry() async throws {
        let (root, dataset) = try Self.workspace()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let original = try #require(try await Self.runFailing(in: root)["id"] as? String)
        _ = try await Harness.bq(["create-table", "\(dataset).orders", "samples/orders-table.json"], in: root)

        let token = "tok-\(UUID().uuidString)"
        let host = try await ServeHost.start(workspace: root, arguments: ["--auth", "bearer:E2E_RETRY_TOKEN"],
                                             environment: ["CONVEYOR_SECRET_E2E_RETRY_TOKEN": token])
        defer { if host.process.isRunning { host.process.terminate() } }
        let auth = ["-H", "Authorization: Bearer \(token)"]
        let code = ["-o", "/dev/null", "-w", "%{http_code}"]
        let api = host.base + "/api/executions/\(original)/retry"
        let form = host.base + "/reporting/executions/\(original)/retry"
        #expect(try await ServeHost.curl(code + ["-X", "POST", api]) == "401")
        #expect(try await ServeHost.curl(code + ["-X", "POST", form, "--data", "csrf=x"]) == "401")

        let page = try await ServeHost.curl(auth + [host.base + "/reporting/executions/\(original)"])
        #expect(page.contains("id=\"retry-form\""), "\(page.prefix(3000))")
        #expect(page.contains("Retry 5 failed document(s)"))
        let csrf = try #require(Self.hiddenValue("csrf", in: page), "no token in the form")

        #expect(try await ServeHost.curl(auth + code + ["-X", "POST", form]) == "403", "no token")
        #expect(try await ServeHost.curl(auth + code + [form, "--data", "csrf=" + String(repeating: "0", count: 64)]) == "403")
        let otherExecution = try await ServeHost.curl(auth + code + [host.base + "/reporting/executions/\(original)x/retry",
                                                              "--data", "csrf=\(csrf)"])
        #expect(otherExecution == "403", "a token is good for its own execution only")
        #expect(try await ServeHost.curl(auth + code + ["-H", "Origin: http://evil.example", form, "--data", "csrf=\(csrf)"]) == "403")
        #expect(try await ServeHost.curl(auth + code + ["-H", "Sec-Fetch-Site: cross-site", form, "--data", "csrf=\(csrf)"]) == "403")
        #expect(try await Self.count(dataset, in: root) == "0", "no refused form sent anything")

        let posted = try await ServeHost.curl(auth + ["-D", "-", "-o", "/dev/null", form, "--data", "csrf=\(csrf)"])
        #expect(posted.hasPrefix("HTTP/1.1 303"), "\(posted)")
        #expect(posted.contains("/reporting/executions/\(original)-retry"), "\(posted)")
        let retry = try await Self.waitForEnd(original + "-retry", host: host, auth: auth)
        #expect(retry["status"] as? String == "COMPLETE", "\(retry)")
        #expect(retry["trigger"] as? String == "retry")
        #expect(try await Self.count(dataset, in: root) == "5")

        let refused = try await ServeHost.curl(auth + ["-w", " %{http_code}", "-X", "POST", api])
        #expect(refused.hasSuffix(" 409"), "\(refused)")
        #expect(refused.contains("was already retried by \(original)-retry (COMPLETE"), "\(refused)")
        #expect(try await ServeHost.curl(auth + code + ["-X", "POST", host.base + "/api/executions/ex-none/retry"]) == "404")
        #expect(try await ServeHost.curl(auth + code + ["-X", "POST", api + "?wait=maybe"]) == "400")
        let shown = try await ServeHost.curl(auth + [host.base + "/reporting/executions/\(original)"])
        #expect(shown.contains("id=\"retries\"") && shown.contains("\(original)-retry"), "\(shown.prefix(3000))")
        let retryPage = try await ServeHost.curl(auth + [host.base + "/reporting/executions/\(original)-retry"])
        #expect(retryPage.contains("Retry of"), "\(retryPage.prefix(3000))")
        #expect(try await host.stop())
        #expect(try await Self.count(dataset, in: root) == "5")

        // The page in a real browser: the form and the retries list are in the DOM.
        _ = try Chromium.executable()
        let open = try await ServeHost.start(workspace: root, arguments: ["--no-auth"])
        defer { if open.process.isRunning { open.process.terminate() } }
        let dom = try await offloaded { try Chromium.dumpDOM(open.base + "/reporting/executions/\(original)") }
        #expect(dom.contains("id=\"retry-form\"") && dom.contains("name=\"csrf\""), "\(dom.prefix(3000))")
        #expect(dom.contains("Retry them once more") && dom.contains("\(original)-retry"))
        _ = try await offloaded {
            try Chromium.screenshot(open.base + "/reporting/executions/\(original)", name: "reporting-retry")
        }
        #expect(try await open.stop())
    }

    /// The value of the hidden input `name` in a page.
    static func hiddenValue(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = page[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Polls the API until the execution ended; returns its JSON.
    static func waitForEnd(_ id: String, host: ServeHost, auth: [String]) async throws -> [String: Any] {
        for _ in 0..<300 {
            let body = try await offloaded { try ServeHost.curl(auth + [host.base + "/api/executions/\(id)"]) }
            if let execution = try? Harness.json(body) as? [String: Any], let status = execution["status"] as? String,
               status != "INPROCESS" {
                return execution
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServeHost.ServeError(message: "execution \(id) did not end")
    }
}
