import ExecutionStore
import Foundation
import Hummingbird
import ProcessModel

extension ReportingPages {
    /// Executions listed on a process's page.
    static let recentExecutions = 20

    /// `GET /reporting/processes`: every process of the workspace by id, with how it starts, its
    /// schedules and listener, its last execution, its executions' status counts and its diagram.
    func processes() -> Response {
        let processes = workspace.processes.values.sorted { $0.id < $1.id }
        let counts: [String: [ExecutionStatus: Int]]
        var last: [String: ExecutionRecord] = [:]
        do {
            counts = try store.executionStatusCounts()
            for process in processes where counts[process.id] != nil {
                last[process.id] = try store.executions(matching: ExecutionQuery(processID: process.id, limit: 1)).first
            }
        } catch {
            return storeFailure(error, section: .processes)
        }
        guard !processes.isEmpty else {
            return ReportingPage.response(title: "Processes", section: .processes,
                                          body: "<p class=\"muted\" id=\"no-processes\">The workspace has no processes.</p>")
        }
        let sections = processes.map { process -> HTML in
            """
            <section class="process" id="process-\(process.id)">
            <h2><a href="\(ReportingURL("/reporting/processes/" + ReportingURL.percentEncoded(process.id)))">\
            \(process.name)</a> <span class="muted mono">\(process.id)</span></h2>
            \(Self.processSummary(process, last: last[process.id], counts: counts[process.id] ?? [:]))
            \(diagram(of: process, small: true, id: "diagram-\(process.id)"))
            </section>

            """
        }
        let summary: HTML = "<p class=\"muted\" id=\"processes-count\">\(processes.count) "
            + "process\(processes.count == 1 ? "" : "es") in the workspace.</p>"
        return ReportingPage.response(title: "Processes", section: .processes, body: "\(summary)\(sections)")
    }

    /// `GET /reporting/processes/{id}`: one process with its large diagram and recent executions.
    func process(id: String) -> Response {
        guard let process = workspace.processes[id] else {
            return ReportingPage.failure(.notFound, title: "Process not found",
                                         message: "The workspace has no process '\(id)'.", section: .processes)
        }
        let counts: [ExecutionStatus: Int]
        let recent: [ExecutionRecord]
        do {
            counts = try store.executionStatusCounts()[process.id] ?? [:]
            recent = try store.executions(matching: ExecutionQuery(processID: process.id, limit: Self.recentExecutions))
        } catch {
            return storeFailure(error, section: .processes)
        }
        let all = ReportingURL("/reporting/executions", [("process", process.id)])
        let executions: HTML = recent.isEmpty
            ? "<p class=\"muted\" id=\"no-executions\">The process has not run yet.</p>"
            : """
              <table id="executions">
              <thead><tr><th>Execution</th><th>Process</th><th>Trigger</th><th>Host</th><th>Status</th><th>Started (UTC)</th>\
              <th>Duration</th><th>In</th><th>Out</th><th>Errors</th><th>Error</th></tr></thead>
              <tbody>\(recent.map(Self.executionRow))</tbody>
              </table>
              <p><a id="all-executions" href="\(all)">Every execution of this process</a></p>
              """
        let body: HTML = """
            \(Self.processSummary(process, last: recent.first, counts: counts))
            <h2>Diagram</h2>
            \(diagram(of: process))
            <h2>Recent executions</h2>
            \(executions)
            """
        return ReportingPage.response(title: "Process \(process.name)", section: .processes, body: body)
    }

    /// The summary list of a process: id, start, schedules, listener, last execution, status counts.
    static func processSummary(_ process: ProcessDefinition, last: ExecutionRecord?,
                               counts: [ExecutionStatus: Int]) -> HTML {
        let items = process.schedules.map { schedule -> HTML in
            let retries: HTML = schedule.retries > 0 ? " <span class=\"muted\">(\(schedule.retries) retries)</span>" : ""
            return "<li><code class=\"schedule\">\(schedule.cron)</code> <span class=\"muted\">\(schedule.timezone)</span>"
                + "\(retries)</li>"
        }
        let schedules: HTML = items.isEmpty ? "<span class=\"muted\">none</span>" : "<ul class=\"tracked\">\(items)</ul>"
        let listener: HTML = process.listener.map { "<code class=\"listener\">\($0.method) \($0.path)</code>" }
            ?? "<span class=\"muted\">none</span>"
        let lastRun: HTML = last.map { execution -> HTML in
            "<span class=\"mono\">\(ReportingPage.link(execution.id, to: .execution(execution.id)))</span> "
                + "\(ReportingPage.badge(execution.status.rawValue)) "
                + "<span class=\"mono\">\(ReportingPage.time(execution.startTime))</span>"
        } ?? "<span class=\"muted\">never run</span>"
        return """
            <dl class="summary process-summary">
            <dt>Id</dt><dd class="mono">\(process.id)</dd>
            <dt>Starts</dt><dd class="start">\(startKind(process))</dd>
            <dt>Schedules</dt><dd class="schedules">\(schedules)</dd>
            <dt>Listener</dt><dd>\(listener)</dd>
            <dt>Last execution</dt><dd class="last-execution">\(lastRun)</dd>
            <dt>Executions</dt><dd class="status-counts">\(statusCounts(process.id, counts))</dd>
            </dl>
            """
    }

    /// How a process starts: `listener`, `connector outbox / read`, `no data`, `input`, `changes …`.
    static func startKind(_ process: ProcessDefinition) -> String {
        if process.listener != nil { return "listener (the request body)" }
        guard case .start(let source, _)? = process.startShape?.kind else { return "no start shape" }
        switch source {
        case .connector(let connection, let operation): return "connector \(connection) / \(operation)"
        case .noData: return "no data"
        case .input: return "input documents"
        case .changes(let changes): return "changes of connection \(changes.connection) (slot \(changes.slot))"
        }
    }

    /// A badge and count for each status the process's executions have, each linking to those
    /// executions; `none` when it has none.
    static func statusCounts(_ processID: String, _ counts: [ExecutionStatus: Int]) -> HTML {
        let present = ExecutionStatus.allCases.filter { (counts[$0] ?? 0) > 0 }
        guard !present.isEmpty else { return "<span class=\"muted\">none</span>" }
        let items = present.map { status -> HTML in
            let url = ReportingURL("/reporting/executions", [("process", processID), ("status", status.rawValue)])
            return "<a class=\"status-count\" href=\"\(url)\">\(ReportingPage.badge(status.rawValue)) "
                + "<span class=\"count\">\(counts[status] ?? 0)</span></a>"
        }
        return HTML.join(items, separator: " ")
    }
}
