import ExecutionStore
import Foundation
import Hummingbird

extension ReportingPages {
    /// The triggers an execution can have.
    static let triggers = ["manual", "schedule", "listener", "subprocess", "retry", "changes"]

    /// `GET /reporting/executions?process=&status=&trigger=&host=&from=&to=&page=`: the filter form
    /// and one page of executions, newest first.
    func executions(_ parameters: [String: String]) -> Response {
        let page = Self.page(parameters)
        var query = ExecutionQuery(processID: parameters["process"], trigger: parameters["trigger"],
                                   host: parameters["host"])
        var problems: [String] = []
        if let status = parameters["status"] {
            if let parsed = ExecutionStatus(rawValue: status.uppercased()) {
                query.status = parsed
            } else {
                let known = ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append("status '\(status)' is not one of \(known)")
            }
        }
        for (name, keyPath) in [("from", \ExecutionQuery.from), ("to", \ExecutionQuery.to)] {
            guard let text = parameters[name] else { continue }
            if let date = Self.time(text) {
                query[keyPath: keyPath] = date
            } else {
                problems.append("\(name) '\(text)' is not a time such as 2026-01-31T12:00:00Z or 2026-01-31 12:00")
            }
        }
        let hosts: [String]
        do {
            hosts = try store.clusterHosts().map(\.id).sorted()
        } catch {
            return storeFailure(error, section: .executions)
        }
        let form = filterForm(parameters, hosts: hosts)
        guard problems.isEmpty else {
            let list = problems.map { problem -> HTML in "<li>\(problem)</li>" }
            return ReportingPage.response(title: "Executions", section: .executions,
                                          body: "\(form)<ul class=\"error\" id=\"failure\">\(list)</ul>",
                                          status: .badRequest)
        }
        let perPage = routes.executionsPerPage
        query.limit = page * perPage + 1
        let found: [ExecutionRecord]
        do {
            found = try store.executions(matching: query)
        } catch {
            return storeFailure(error, section: .executions)
        }
        let rows = Array(found.dropFirst((page - 1) * perPage).prefix(perPage))
        let pager = Self.pager(path: "/reporting/executions", parameters: parameters, page: page,
                               hasNext: found.count > page * perPage, label: "executions")
        let table: HTML = rows.isEmpty
            ? "<p class=\"muted\" id=\"no-executions\">No executions match.</p>"
            : """
              <table id="executions">
              <thead><tr><th>Execution</th><th>Process</th><th>Trigger</th><th>Host</th><th>Status</th><th>Started (UTC)</th>\
              <th>Duration</th><th>In</th><th>Out</th><th>Errors</th><th>Error</th></tr></thead>
              <tbody>\(rows.map(Self.executionRow))</tbody>
              </table>
              """
        return ReportingPage.response(title: "Executions", section: .executions, body: "\(form)\(table)\(pager)")
    }

    /// One row of the executions table.
    static func executionRow(_ execution: ExecutionRecord) -> HTML {
        let error = execution.error.map { String($0.prefix(160)) + ($0.count > 160 ? "…" : "") } ?? ""
        return """
            <tr class="execution"><td class="mono"><a href="\(ReportingURL.execution(execution.id))">\(execution.id)</a></td>\
            <td>\(execution.processName) <span class="muted mono">\(execution.processID)</span></td>\
            <td>\(execution.trigger)</td><td class="mono host">\(hostLink(execution.host))</td>\
            <td>\(ReportingPage.badge(execution.status.rawValue))</td>\
            <td class="mono">\(ReportingPage.time(execution.startTime))</td>\
            <td class="num">\(ReportingPage.duration(execution))</td><td class="num">\(execution.documentsIn)</td>\
            <td class="num">\(execution.documentsOut)</td><td class="num">\(execution.documentsError)</td>\
            <td class="error">\(error)</td></tr>

            """
    }

    /// A host's id linking to the executions it ran; nothing for an execution no cluster host ran.
    static func hostLink(_ host: String?) -> HTML {
        guard let host else { return "" }
        return ReportingPage.link(host, to: ReportingURL("/reporting/executions", [("host", host)]))
    }

    /// The GET form with the current filters filled in; a host filter when the store knows cluster
    /// hosts (or one is asked for).
    func filterForm(_ parameters: [String: String], hosts: [String]) -> HTML {
        let hostFilter: HTML = hosts.isEmpty && parameters["host"] == nil ? ""
            : "\(Self.select("host", label: "Host", options: hosts, current: parameters["host"]))\n"

        let processes = workspace.processes.keys.sorted()
        return """
            <form class="filters" method="get" action="/reporting/executions" id="filters">
            \(Self.select("process", label: "Process", options: processes, current: parameters["process"]))
            \(Self.select("status", label: "Status", options: ExecutionStatus.allCases.map(\.rawValue),
                          current: parameters["status"]?.uppercased()))
            \(Self.select("trigger", label: "Trigger", options: Self.triggers, current: parameters["trigger"]))
            \(hostFilter)\
            <label>Started from (UTC)<input type="text" name="from" id="filter-from" placeholder="2026-01-31 00:00" \
            value="\(parameters["from"])"></label>
            <label>Started before (UTC)<input type="text" name="to" id="filter-to" placeholder="2026-02-01 00:00" \
            value="\(parameters["to"])"></label>
            <button type="submit">Filter</button> <a href="/reporting/executions">Clear</a>
            </form>

            """
    }
}
