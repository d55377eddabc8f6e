import ExecutionStore
import Foundation
@testable import HostService
import Logging
import TestSupport
import Testing

/// The reporting pages of a cluster host: the hosts page and the host of each execution, served
/// by a real server over a PostgreSQL store.
@Suite(.serialized) struct ReportingClusterTests {
    /// A host id with markup, quotes and an ampersand: every page must show it as text.
    static let hostileHost = "<b>\"h&1</b>"
    static let escapedHost = "&lt;b&gt;&quot;h&amp;1&lt;/b&gt;"

    static func withServer<T>(_ store: ExecutionStore, cluster: Bool,
                              _ body: (String) async throws -> T) async throws -> T {
        let configuration = HostConfiguration(port: 0, authentication: .basic(user: "ops", password: "pw"))
        let host = TestHost.host(TestHost.workspace(), store: store)
        var server = HostServer(configuration: configuration, host: host, store: store, logger: Logger(label: "test"),
                                extraRoutes: [ReportingRoutes()])
        if cluster {
            // Records this host's id with every execution it runs, as `conveyor serve` does.
            server.cluster = ClusterService(hostID: hostileHost, store: store, host: host, logger: Logger(label: "test"),
                                            workers: 3, hostTimeout: .seconds(30))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { port in continuation.yield(port) } }
        defer { task.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        return try await body("http://127.0.0.1:\(port)")
    }

    @Test func hostsPageAndExecutionPagesShowTheClusterEscaped() async throws {
        let url = try TestPostgres.createDatabase(prefix: "reporting")
        defer { TestPostgres.dropDatabase(url) }
        let store = try ExecutionStore(path: url)
        let now = Date()
        try store.registerHost(ClusterHost(id: Self.hostileHost, address: "10.0.0.7:8080<x>", pid: 4242, version: "conveyor",
                                           workers: 3, startedAt: now.addingTimeInterval(-120), heartbeatAt: now))
        #expect(try store.heartbeat(hostID: Self.hostileHost, running: 2, at: now))
        // Registered long ago and silent since: still `running` in the table, but not heard from.
        try store.registerHost(ClusterHost(id: "h-old", address: "10.0.0.8:8080", pid: 77, version: "conveyor",
                                           workers: 5, startedAt: now.addingTimeInterval(-3_600),
                                           heartbeatAt: now.addingTimeInterval(-600)))
        try store.registerHost(ClusterHost(id: "h-gone", address: "10.0.0.9:8080", pid: 78, version: "conveyor",
                                           workers: 1, startedAt: now.addingTimeInterval(-7_200), heartbeatAt: now))
        try store.stopHost("h-gone")
        // An execution another host ran, and one from before the cluster (no host).
        try store.insert(ExecutionRecord(id: "ex-old-host-0001", processID: "plain", processName: "plain", trigger: "schedule",
                                         status: .complete, startTime: now.addingTimeInterval(-50), host: "h-old"))
        try store.insert(ExecutionRecord(id: "ex-no-host-0002", processID: "plain", processName: "plain", trigger: "manual",
                                         status: .complete, startTime: now.addingTimeInterval(-40)))

        try await Self.withServer(store, cluster: true) { base in
            let auth = ReportingTests.auth
            let ran = try await TestHost.request(base + "/api/processes/echo/executions", method: "POST", body: "hi",
                                                 headers: auth)
            #expect(ran.status == 200)
            let ranID = try #require(try store.executions(matching: ExecutionQuery(processID: "echo")).first?.id)
            #expect(try store.execution(id: ranID)?.host == Self.hostileHost)

            // A fresh heartbeat, however long the execution above took on a loaded machine.
            #expect(try store.heartbeat(hostID: Self.hostileHost, running: 2))
            let hosts = try await ReportingTests.get(base + "/reporting/hosts")
            #expect(hosts.status == 200)
            #expect(hosts.headers["content-security-policy"]?.contains("script-src 'none'") == true)
            let page = hosts.body
            #expect(page.contains("<a href=\"/reporting/hosts\" aria-current=\"page\">Hosts</a>"))
            #expect(page.contains("id=\"hosts\""))
            #expect(page.contains(Self.escapedHost))
            #expect(!page.contains(Self.hostileHost))
            #expect(!page.contains("<x>"))
            #expect(page.contains("10.0.0.7:8080&lt;x&gt;"))
            let current = try #require(Self.row(of: Self.escapedHost, in: page))
            #expect(current.contains("status-running"))
            #expect(current.contains("<td class=\"num running\">2</td>"))
            #expect(current.contains("<td class=\"num workers\">3</td>"))
            #expect(current.contains("<td class=\"num pid\">4242</td>"))
            #expect(current.contains(" s ago"))
            #expect(current.contains("(this host)"))
            #expect(current.contains("href=\"/reporting/executions?host=%3Cb%3E%22h%261%3C%2Fb%3E\""))
            let old = try #require(Self.row(of: ">h-old<", in: page))
            #expect(old.contains("not heard from"))
            // Its heartbeat was 600 s old when the test began (more by now on a loaded machine).
            let age = old.firstMatch(of: #/\((\d+) s ago\)/#).flatMap { Int($0.1) }
            #expect((age ?? 0) >= 600, "\(old)")
            let gone = try #require(Self.row(of: ">h-gone<", in: page))
            #expect(gone.contains("status-stopped"))
            #expect(gone.contains("since "))
            #expect(!gone.contains("(this host)"))
            #expect(page.contains("30 s"))                            // the host timeout is named

            let list = try await ReportingTests.get(base + "/reporting/executions")
            #expect(list.body.contains("href=\"/reporting/hosts\""))
            #expect(list.body.contains("<th>Host</th>"))
            #expect(try #require(Self.row(of: ">\(ranID)<", in: list.body)).contains(Self.escapedHost))
            #expect(try #require(Self.row(of: ">ex-old-host-0001<", in: list.body)).contains(">h-old<"))
            #expect(try #require(Self.row(of: ">ex-no-host-0002<", in: list.body)).contains("<td class=\"mono host\"></td>"))
            #expect(!list.body.contains(Self.hostileHost))

            let filtered = try await ReportingTests.get(base + "/reporting/executions?host="
                + ReportingURL.percentEncoded(Self.hostileHost))
            #expect(filtered.status == 200)
            #expect(filtered.body.contains(">\(ranID)<"))
            #expect(!filtered.body.contains(">ex-old-host-0001<"))
            #expect(!filtered.body.contains(">ex-no-host-0002<"))
            #expect(filtered.body.contains("<option selected value=\"\(Self.escapedHost)\">"))
            let other = try await ReportingTests.get(base + "/reporting/executions?host=h-old")
            #expect(other.body.contains(">ex-old-host-0001<"))
            #expect(!other.body.contains(">\(ranID)<"))

            let detail = try await ReportingTests.get(base + "/reporting/executions/" + ranID)
            #expect(detail.body.contains("<dt>Host</dt><dd class=\"mono\" id=\"host\">"))
            #expect(detail.body.contains(Self.escapedHost))
            #expect(!detail.body.contains(Self.hostileHost))
            let noHost = try await ReportingTests.get(base + "/reporting/executions/ex-no-host-0002")
            #expect(noHost.body.contains("<dt>Host</dt><dd class=\"mono\" id=\"host\"></dd>"))

            let api = try await TestHost.request(base + "/api/executions?host=h-old", headers: auth)
            #expect(api.status == 200)
            #expect(api.body.contains("ex-old-host-0001"))
            #expect(!api.body.contains(ranID))
            #expect(!api.body.contains("ex-no-host-0002"))
        }
    }

    @Test(.enabled(if: TestStore.onSQLite, "the store of a host outside a cluster is SQLite"))
    func hostsPageOnSQLiteSaysTheHostIsNotInACluster() async throws {
        let store = try TestHost.store()
        // An execution recorded with a host (a store a cluster host once wrote) and one without.
        try store.insert(ExecutionRecord(id: "ex-sqlite-host-1", processID: "plain", processName: "plain", trigger: "manual",
                                         status: .complete, startTime: Date(), host: "h-a"))
        try store.insert(ExecutionRecord(id: "ex-sqlite-none-2", processID: "plain", processName: "plain", trigger: "manual",
                                         status: .complete, startTime: Date()))
        try await Self.withServer(store, cluster: false) { base in
            let page = try await ReportingTests.get(base + "/reporting/hosts")
            #expect(page.status == 200)
            #expect(page.body.contains("id=\"not-a-cluster\""))
            #expect(page.body.contains("not part of a cluster"))
            #expect(page.body.contains("docs/cluster.md"))
            #expect(!page.body.contains("id=\"hosts\""))
            let list = try await ReportingTests.get(base + "/reporting/executions")
            #expect(list.body.contains("href=\"/reporting/hosts\""))
            #expect(!list.body.contains("id=\"filter-host\""))         // no cluster hosts to offer
            let filtered = try await ReportingTests.get(base + "/reporting/executions?host=h-a")
            #expect(filtered.body.contains(">ex-sqlite-host-1<"))
            #expect(!filtered.body.contains(">ex-sqlite-none-2<"))
            #expect(filtered.body.contains("<option selected value=\"h-a\">"))
            let api = try await TestHost.request(base + "/api/executions?host=h-a", headers: ReportingTests.auth)
            #expect(api.body.contains("ex-sqlite-host-1"))
            #expect(!api.body.contains("ex-sqlite-none-2"))
        }
    }

    /// The `<tr>` holding `needle`, or nil.
    static func row(of needle: String, in page: String) -> String? {
        guard let hit = page.range(of: needle),
              let start = page.range(of: "<tr", options: .backwards, range: page.startIndex..<hit.lowerBound),
              let end = page.range(of: "</tr>", range: hit.upperBound..<page.endIndex) else { return nil }
        return String(page[start.lowerBound..<end.upperBound])
    }
}
