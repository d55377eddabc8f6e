import ConveyorBase
import ExecutionStore
import Foundation
import Hummingbird

/// The frame shared by the Process Reporting pages: head, inline stylesheet, navigation, and the
/// headers that forbid scripts.
enum ReportingPage {
    /// Forbids scripts, plugins, frames and every load from elsewhere; allows the inline stylesheet.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
        + "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// A complete page answer.
    static func response(title: String, section: Section, body: HTML, status: HTTPResponse.Status = .ok) -> Response {
        let page: HTML = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>\(title) · Conveyor</title>
            <style>\(stylesheet)</style>
            </head>
            <body>
            <header><span class="brand">Conveyor</span> <span class="muted">Process Reporting</span>
            <nav>\(link("Executions", to: ReportingURL("/reporting/executions"), current: section == .executions)) \
            \(link("Processes", to: ReportingURL("/reporting/processes"), current: section == .processes)) \
            \(link("Tracked fields", to: ReportingURL("/reporting/tracked"), current: section == .tracked)) \
            \(link("Hosts", to: ReportingURL("/reporting/hosts"), current: section == .hosts))</nav>
            </header>
            <main>
            <h1>\(title)</h1>
            \(body)
            </main>
            </body>
            </html>

            """
        return Response(status: status, headers: headers(contentType: "text/html; charset=utf-8"),
                        body: ResponseBody(byteBuffer: ByteBuffer(string: page.markup)))
    }

    /// An error page (bad filter, unknown execution, store failure).
    static func failure(_ status: HTTPResponse.Status, title: String, message: String, section: Section) -> Response {
        response(title: title, section: section, body: "<p class=\"error\" id=\"failure\">\(message)</p>", status: status)
    }

    /// The security headers every reporting answer carries, with a content type.
    static func headers(contentType: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        fields[.contentSecurityPolicy] = contentSecurityPolicy
        fields[.xContentTypeOptions] = "nosniff"
        fields[.cacheControl] = "no-store"
        return fields
    }

    /// The navigation sections.
    enum Section { case executions, processes, tracked, hosts }

    static func link(_ label: String, to url: ReportingURL, current: Bool = false) -> HTML {
        current ? "<a href=\"\(url)\" aria-current=\"page\">\(label)</a>" : "<a href=\"\(url)\">\(label)</a>"
    }

    /// A status as a coloured badge.
    static func badge(_ status: String) -> HTML {
        "<span class=\"status status-\(status.lowercased())\">\(status)</span>"
    }

    /// `2026-01-31 12:00:00.000Z`, or a dash.
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        return HostJSON.timestamp(date).replacingOccurrences(of: "T", with: " ")
    }

    /// The time between start and end, such as `1.250 s`, or a dash while running.
    static func duration(_ execution: ExecutionRecord) -> String {
        guard let end = execution.endTime else { return "—" }
        return FixedDecimal.string(end.timeIntervalSince(execution.startTime), places: 3) + " s"
    }

    static let stylesheet: HTML = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}\
        header{background:#1d2330;color:#fff;padding:10px 24px;display:flex;gap:16px;align-items:baseline}\
        header .brand{font-weight:700;font-size:16px}header .muted{color:#aab}\
        header nav{margin-left:auto;display:flex;gap:16px}header a{color:#cfe0ff}\
        header a[aria-current]{color:#fff;font-weight:600;text-decoration:none}\
        main{padding:8px 24px 32px}h1{font-size:20px;margin:12px 0}h2{font-size:16px;margin:24px 0 8px}\
        table{border-collapse:collapse;background:#fff;width:100%;margin:4px 0}\
        th,td{border:1px solid #dde1e7;padding:4px 8px;text-align:left;vertical-align:top}\
        th{background:#eef1f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}\
        code,.mono{font-family:ui-monospace,monospace;font-size:12.5px;overflow-wrap:anywhere}\
        form.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;background:#fff;\
        border:1px solid #dde1e7;padding:10px;margin-bottom:12px}\
        form.filters label{display:flex;flex-direction:column;font-size:12px;color:#555}\
        input,select,button{font:inherit;padding:3px 6px}\
        .status{padding:1px 6px;border-radius:3px;font-size:12px;font-weight:600;background:#e3e6ea}\
        .status-complete,.status-success{background:#d6f5dd;color:#17602c}\
        .status-complete_warn,.status-application_error,.status-dead-lettered{background:#fff0c2;color:#7a5a00}\
        .warn{color:#7a5a00;font-weight:600}\
        .status-error{background:#fbd9d9;color:#8a1c1c}.status-aborted{background:#e6dcf7;color:#4b2a86}\
        .status-inprocess,.status-running{background:#d9e8fb;color:#1c4d8a}\
        .status-dead{background:#fbd9d9;color:#8a1c1c}.status-silent{background:#fff0c2;color:#7a5a00}\
        .error{color:#8a1c1c}.muted{color:#667}dl.summary{display:grid;grid-template-columns:max-content 1fr;\
        gap:4px 16px;background:#fff;border:1px solid #dde1e7;padding:10px;margin:0}dl.summary dt{color:#555}\
        dl.summary dd{margin:0}.pager{display:flex;gap:16px;margin:8px 0}ol.log{background:#fff;\
        border:1px solid #dde1e7;padding:8px 8px 8px 40px;font-family:ui-monospace,monospace;font-size:12.5px}\
        ul.tracked{list-style:none;margin:0;padding:0}\
        .diagram{background:#fff;border:1px solid #dde1e7;padding:6px;overflow:auto;margin:4px 0}\
        .diagram-small{max-height:320px}.diagram svg{display:block}\
        pre.content{background:#fff;border:1px solid #dde1e7;padding:10px;overflow:auto;max-height:70vh;\
        font-family:ui-monospace,monospace;font-size:12.5px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}\
        section.content{margin:12px 0 24px}section.content h2{margin-top:8px}a.status-count{text-decoration:none}
        """
}
