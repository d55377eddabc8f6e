import ExecutionStore
import Foundation
import Hummingbird

extension ReportingPages {
    /// `GET /reporting/executions/{id}[?page=N]`: the execution's header, parent and children,
    /// its process diagram and shapes with their document counts, a page of documents with tracked
    /// fields, and the user log.
    func execution(id: String, _ parameters: [String: String]) -> Response {
        let execution: ExecutionRecord
        let children: [ExecutionRecord]
        let parent: ExecutionRecord?
        let documents: DocumentPage
        let deadLettered: [String: Int]
        do {
            guard let found = try store.execution(id: id) else {
                return ReportingPage.failure(.notFound, title: "Execution not found",
                                             message: "No execution has the id '\(id)'.", section: .executions)
            }
            execution = found
            children = try store.childExecutions(of: found.id)
            parent = try found.parentExecutionID.flatMap { try store.execution(id: $0) }
            documents = try documentPage(of: found, page: Self.page(parameters))
            deadLettered = found.documentsDeadLettered > 0 ? try store.deadLetteredCounts(executionID: found.id) : [:]
        } catch let error as StoreError where error.message.contains("prefix matches several") {
            return ReportingPage.failure(.badRequest, title: "Ambiguous execution id", message: error.message,
                                         section: .executions)
        } catch {
            return storeFailure(error, section: .executions)
        }
        let body: HTML = """
            \(Self.header(execution, parent: parent, children: children))
            \(retrySection(execution))
            <h2>Diagram</h2>
            \(executionDiagram(execution, deadLettered: deadLettered))
            <h2>Shapes</h2>
            \(Self.shapes(execution.shapeCounts))
            <h2>Documents</h2>
            \(documents.html)
            <h2>User log</h2>
            \(Self.userLog(execution.userLog))
            """
        return ReportingPage.response(title: "Execution \(execution.id)", section: .executions, body: body)
    }

    /// The summary list at the top of the detail page.
    static func header(_ execution: ExecutionRecord, parent: ExecutionRecord?, children: [ExecutionRecord]) -> HTML {
        let parentLink: HTML
        if let parentID = execution.parentExecutionID {
            let label = parent.map { "\($0.id) (\($0.processName))" } ?? "\(parentID) (purged)"
            let relation: HTML = execution.trigger == "retry" ? "Retry of" : "Parent execution"
            parentLink = "<dt>\(relation)</dt><dd class=\"mono\" id=\"parent\">"
                + "\(ReportingPage.link(label, to: .execution(parentID)))</dd>"
        } else {
            parentLink = ""
        }
        let childLinks: HTML = children.isEmpty ? "" : """
            <dt>Child executions</dt><dd id="children"><ul class="tracked">\(children.map { child -> HTML in
                "<li class=\"mono\">\(ReportingPage.link(child.id, to: .execution(child.id))) "
                    + "\(child.processName) \(ReportingPage.badge(child.status.rawValue))</li>"
            })</ul></dd>
            """
        let deadLettered: HTML = execution.documentsDeadLettered == 0 ? ""
            : ", <span class=\"warn\" id=\"dead-lettered\">\(execution.documentsDeadLettered) dead-lettered</span>"
        let error: HTML = execution.error.map { "<dt>Error</dt><dd class=\"error\" id=\"execution-error\">\($0)</dd>" } ?? ""
        return """
            <dl class="summary" id="summary">
            <dt>Status</dt><dd id="status">\(ReportingPage.badge(execution.status.rawValue))</dd>
            <dt>Process</dt><dd>\(execution.processName) <span class="muted mono">\(execution.processID)</span> \
            \(ReportingPage.link("other executions", to: ReportingURL("/reporting/executions", [("process", execution.processID)])))</dd>
            <dt>Trigger</dt><dd>\(execution.trigger)</dd>
            <dt>Host</dt><dd class="mono" id="host">\(execution.host)</dd>
            <dt>Started</dt><dd class="mono">\(ReportingPage.time(execution.startTime))</dd>
            <dt>Ended</dt><dd class="mono">\(ReportingPage.time(execution.endTime))</dd>
            <dt>Duration</dt><dd>\(ReportingPage.duration(execution))</dd>
            <dt>Documents</dt><dd>\(execution.documentsIn) in, \(execution.documentsOut) out, \
            \(execution.documentsError) failed\(deadLettered)</dd>
            \(error)\(parentLink)\(childLinks)
            </dl>
            """
    }

    /// The per-shape document counts.
    static func shapes(_ counts: [ShapeCount]) -> HTML {
        guard !counts.isEmpty else { return "<p class=\"muted\" id=\"no-shapes\">No shape counts were recorded.</p>" }
        let rows = counts.map { count -> HTML in
            "<tr class=\"shape\"><td class=\"mono\">\(count.shapeID)</td><td class=\"num\">\(count.documentsIn)</td>"
                + "<td class=\"num\">\(count.documentsOut)</td><td class=\"num\">\(count.documentsError)</td></tr>"
        }
        return """
            <table id="shapes"><thead><tr><th>Shape</th><th>Documents in</th><th>Out</th><th>Errors</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
    }

    /// The user log lines, in order.
    static func userLog(_ lines: [String]) -> HTML {
        guard !lines.isEmpty else { return "<p class=\"muted\" id=\"no-log\">No user log lines.</p>" }
        return "<ol class=\"log\" id=\"user-log\">\(lines.map { line -> HTML in "<li>\(line)</li>" })</ol>"
    }
}
