import ExecutionStore
import Foundation
import Hummingbird

extension ReportingPages {
    /// `GET /reporting/tracked?field=NAME&value=V`: the search form and the documents whose tracked
    /// field held the value, newest execution first, each linking to its execution.
    func tracked(_ parameters: [String: String]) -> Response {
        let field = parameters["field"], value = parameters["value"]
        let form = searchForm(field: field, value: value)
        guard let field, let value else {
            let hint: HTML = parameters.isEmpty ? ""
                : "<p class=\"error\" id=\"failure\">Give both the field name and the value.</p>"
            return ReportingPage.response(title: "Tracked fields", section: .tracked, body: "\(form)\(hint)",
                                          status: parameters.isEmpty ? .ok : .badRequest)
        }
        let matches: [TrackedMatch]
        do {
            matches = try store.searchTracked(field: field, value: value, limit: routes.searchLimit + 1,
                                              numeric: workspace.trackedFields[field]?.type == .number)
        } catch {
            return storeFailure(error, section: .tracked)
        }
        let shown = matches.prefix(routes.searchLimit)
        let export = ReportingURL("/reporting/tracked.csv", [("field", field), ("value", value)])
        let more: HTML = matches.count > routes.searchLimit
            ? " <span class=\"muted\">(the first \(routes.searchLimit) are shown; the export has all)</span>" : ""
        let summary: HTML = """
            <p id="search-summary">\(shown.count) document\(shown.count == 1 ? "" : "s") with \
            <code>\(field)</code> = <code>\(value)</code>\(more). \
            <a id="export-csv" href="\(export)">Export the records of these documents as CSV</a></p>
            """
        guard !shown.isEmpty else {
            return ReportingPage.response(title: "Tracked fields", section: .tracked,
                                          body: "\(form)<p class=\"muted\" id=\"no-matches\">No document has "
                                              + "<code>\(field)</code> = <code>\(value)</code>.</p>")
        }
        let rows = shown.map { match -> HTML in
            """
            <tr class="match"><td class="mono"><a href="\(ReportingURL.execution(match.execution.id))">\
            \(match.execution.id)</a></td><td>\(match.execution.processName)</td>\
            <td>\(ReportingPage.badge(match.execution.status.rawValue))</td>\
            <td class="mono">\(ReportingPage.time(match.execution.startTime))</td>\
            <td class="mono">\(match.document.shapeID)</td><td>\(match.document.direction)</td>\
            <td class="num">\(match.document.index)</td><td>\(ReportingPage.badge(match.document.status.rawValue))</td>\
            <td>\(Self.trackedList(match.document.trackedValues))</td><td class="error">\(match.document.error)</td></tr>

            """
        }
        let table: HTML = """
            <table id="matches"><thead><tr><th>Execution</th><th>Process</th><th>Execution status</th>\
            <th>Started (UTC)</th><th>Shape</th><th>Direction</th><th>Index</th><th>Document status</th>\
            <th>Tracked fields</th><th>Error</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return ReportingPage.response(title: "Tracked fields", section: .tracked, body: "\(form)\(summary)\(table)")
    }

    /// `GET /reporting/tracked.csv?field=NAME&value=V`: every tracked record of the matching
    /// documents, in chain order, as the store's CSV export (RFC 4180, CRLF).
    func trackedCSV(_ parameters: [String: String]) -> Response {
        guard let field = parameters["field"], let value = parameters["value"] else {
            return ReportingPage.failure(.badRequest, title: "Tracked fields",
                                         message: "Give both the field name and the value.", section: .tracked)
        }
        var csv = TrackedRecord.csvHeader
        do {
            try store.exportTracked(TrackedExportFilter(field: (field, value))) { record in
                csv += record.csvLine
            }
        } catch {
            return storeFailure(error, section: .tracked)
        }
        var headers = ReportingPage.headers(contentType: "text/csv; charset=utf-8")
        headers[.contentDisposition] = "attachment; filename=\"\(Self.fileName(field: field, value: value))\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

    /// `tracked-<field>-<value>.csv` with every character outside letters, digits, `-` and `_` as `_`.
    static func fileName(field: String, value: String) -> String {
        let safe = { (text: String) in
            String(text.prefix(60).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        }
        return "tracked-\(safe(field))-\(safe(value)).csv"
    }

    /// The search form, the declared tracked fields offered as a list.
    func searchForm(field: String?, value: String?) -> HTML {
        let declared = workspace.trackedFields.keys.sorted()
        let fieldInput: HTML = declared.isEmpty
            ? "<input type=\"text\" name=\"field\" id=\"search-field\" required value=\"\(field)\">"
            : Self.fieldSelect(declared, current: field)
        return """
            <form class="filters" method="get" action="/reporting/tracked" id="search">
            <label>Field\(fieldInput)</label>
            <label>Value<input type="text" name="value" id="search-value" required size="40" value="\(value)"></label>
            <button type="submit">Search</button>
            </form>

            """
    }

    private static func fieldSelect(_ names: [String], current: String?) -> HTML {
        var options = names
        if let current, !names.contains(current) { options.append(current) }
        let choices = options.map { name -> HTML in
            name == current ? "<option selected value=\"\(name)\">\(name)</option>"
                            : "<option value=\"\(name)\">\(name)</option>"
        }
        return "<select name=\"field\" id=\"search-field\">\(choices)</select>"
    }
}
