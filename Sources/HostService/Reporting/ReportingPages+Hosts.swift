import ExecutionStore
import Foundation
import Hummingbird

extension ReportingPages {
    /// `GET /reporting/hosts`: the hosts of the cluster with their state and last heartbeat; on a
    /// store that is no cluster's (SQLite), how to make one.
    func hosts(now: Date = Date()) -> Response {
        guard store.postgres != nil else {
            let body: HTML = """
                <p id="not-a-cluster">This host is not part of a cluster: its execution store is an SQLite file, \
                which only this host uses.</p>
                <p class="muted">To run several hosts as one cluster, start each <code>conveyor serve</code> on the \
                same PostgreSQL database with <code>--store postgres://USER@HOST:5432/DB</code> (or \
                <code>CONVEYOR_STORE</code>) and its own <code>--host-id</code>; docs/cluster.md describes it.</p>
                """
            return ReportingPage.response(title: "Hosts", section: .hosts, body: body)
        }
        let hosts: [ClusterHost]
        do {
            hosts = try store.clusterHosts()
        } catch {
            return storeFailure(error, section: .hosts)
        }
        let timeout = Int(hostTimeout.rounded())
        let note: HTML = """
            <p class="muted" id="hosts-note">The hosts sharing this PostgreSQL store, newest first. A running host \
            whose last heartbeat is older than the host timeout (\(timeout) s, <code>--host-timeout</code>) is \
            shown as not heard from; the next heartbeat of another host declares it dead and takes its work over.</p>
            """
        guard !hosts.isEmpty else {
            return ReportingPage.response(title: "Hosts", section: .hosts,
                                          body: "\(note)<p class=\"muted\" id=\"no-hosts\">No host has registered yet.</p>")
        }
        let rows = hosts.map { hostRow($0, now: now) }
        let table: HTML = """
            <table id="hosts"><thead><tr><th>Host</th><th>Address</th><th>State</th><th>Started (UTC)</th>\
            <th>Last heartbeat (UTC)</th><th>Running</th><th>Workers</th><th>PID</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return ReportingPage.response(title: "Hosts", section: .hosts, body: "\(note)\(table)")
    }

    /// One row of the hosts table; its id links to the executions it ran.
    func hostRow(_ host: ClusterHost, now: Date) -> HTML {
        let silent = host.state == "running" && now.timeIntervalSince(host.heartbeatAt) > hostTimeout
        let state: HTML
        if silent {
            state = "<span class=\"status status-silent\">not heard from</span>"
        } else {
            let since: HTML = host.stoppedAt.map { " <span class=\"muted\">since \(ReportingPage.time($0))</span>" } ?? ""
            state = "\(ReportingPage.badge(host.state))\(since)"
        }
        let this: HTML = host.id == currentHost ? " <span class=\"muted\">(this host)</span>" : ""
        let ago = max(0, Int(now.timeIntervalSince(host.heartbeatAt)))
        return """
            <tr class="host"><td class="mono"><a href="\(ReportingURL("/reporting/executions", [("host", host.id)]))">\
            \(host.id)</a>\(this)</td><td class="mono">\(host.address)</td><td>\(state)</td>\
            <td class="mono">\(ReportingPage.time(host.startedAt))</td>\
            <td class="mono">\(ReportingPage.time(host.heartbeatAt)) <span class="muted">(\(ago) s ago)</span></td>\
            <td class="num running">\(host.running)</td><td class="num workers">\(host.workers)</td>\
            <td class="num pid">\(host.pid)</td></tr>

            """
    }
}
