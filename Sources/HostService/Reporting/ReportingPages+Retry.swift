import ExecutionStore
import Foundation
import Hummingbird

extension ReportingPages {
    /// The purpose a retry form's token is signed for.
    static func retryPurpose(_ executionID: String) -> String { "retry:" + executionID }

    /// The retry form of an execution with failed documents (a POST with a token, see
    /// ``FormToken``), and the retries made of it already.
    func retrySection(_ execution: ExecutionRecord) -> HTML {
        let failed = execution.documentsError + execution.documentsDeadLettered
        guard failed > 0, execution.status != .inProcess, let forms else { return "" }
        var earlier: [HTML] = []
        for attempt in 1...RetryPlanner.maximumAttempts {
            guard let retry = try? store.execution(exactID: RetryPlanner.retryID(of: execution.id, attempt: attempt)) else {
                break
            }
            earlier.append("<li class=\"mono\">\(ReportingPage.link(retry.id, to: .execution(retry.id))) "
                           + "\(ReportingPage.badge(retry.status.rawValue)) \(retry.documentsIn) sent, "
                           + "\(retry.documentsError) failed</li>")
        }
        guard workspace.processes[execution.processID] != nil else {
            return "<p class=\"muted\" id=\"retry-unavailable\">Process '\(execution.processID)' is not in the workspace "
                + "any more: its failed documents cannot be retried.</p>"
        }
        let from = workspace.processes[execution.processID]?.retryFrom == .start
            ? "from the start of the process" : "into the shapes where they failed"
        let action = ReportingURL("/reporting/executions/" + ReportingURL.percentEncoded(execution.id) + "/retry")
        let token = forms.token(for: Self.retryPurpose(execution.id))
        let retried: HTML = earlier.isEmpty ? "" : "<p>Retried by:</p><ul class=\"tracked\" id=\"retries\">\(earlier)</ul>"
        let force: HTML = earlier.isEmpty ? "" : "<input type=\"hidden\" name=\"force\" value=\"true\">"
        let label = earlier.isEmpty ? "Retry \(failed) failed document(s)" : "Retry them once more"
        let warning: HTML = earlier.isEmpty ? ""
            : " <span class=\"warn\">documents an earlier retry delivered are sent again</span>"
        return """
            <h2>Retry</h2>
            \(retried)<form method="post" action="\(action)" id="retry-form" class="filters">\
            <input type="hidden" name="csrf" value="\(token)">\(force)\
            <button type="submit" id="retry-button">\(label)</button>\
            <span class="muted">sends the kept content of each failed document \(from), as a new execution \
            (trigger retry)</span>\(warning)</form>
            """
    }

    /// `POST /reporting/executions/{id}/retry` from the form: checks the token and where the form
    /// was posted from, starts the retry and answers 303 to its page, or an error page.
    func retryForm(request: Request, executionID: String, server: HostServer) async -> Response {
        if let name = HTTPFields.Element.Name("Sec-Fetch-Site"), let site = request.headers[name],
           site == "cross-site" || site == "same-site" {
            return ReportingPage.failure(.forbidden, title: "Retry refused",
                                         message: "the form was posted from another site", section: .executions)
        }
        if let name = HTTPFields.Element.Name("Origin"), let origin = request.headers[name], origin != "null",
           let host = request.head.authority,
           URLComponents(string: origin).map({ Self.authority($0) }) != host.lowercased() {
            return ReportingPage.failure(.forbidden, title: "Retry refused",
                                         message: "the form was posted from another origin (\(origin))", section: .executions)
        }
        var bytes: [UInt8] = []
        do {
            for try await part in request.body {
                bytes += part.readableBytesView
                guard bytes.count <= 4096 else {
                    return ReportingPage.failure(.contentTooLarge, title: "Retry refused",
                                                 message: "the form is too large", section: .executions)
                }
            }
        } catch {
            return ReportingPage.failure(.badRequest, title: "Retry refused", message: "the form could not be read",
                                         section: .executions)
        }
        let fields = Self.formFields(String(decoding: bytes, as: UTF8.self))
        guard let token = fields["csrf"], let forms, forms.accepts(token, for: Self.retryPurpose(executionID)) else {
            return ReportingPage.failure(.forbidden, title: "Retry refused",
                                         message: "the form's token is missing or wrong: open the execution's page and "
                                            + "use its Retry button", section: .executions)
        }
        switch await server.retry(executionID: executionID, force: fields["force"] == "true", waits: false) {
        case .accepted(let id):
            return Response(status: .seeOther, headers: [.location: ReportingURL.execution(id).text])
        case .finished(let record):
            return Response(status: .seeOther, headers: [.location: ReportingURL.execution(record.id).text])
        case .refused(let status, let message):
            return ReportingPage.failure(status, title: "Retry refused", message: message, section: .executions)
        }
    }

    /// `host[:port]` of an origin, lower-cased, the port left out when it is the scheme's default.
    static func authority(_ origin: URLComponents) -> String {
        let host = (origin.host ?? "").lowercased()
        guard let port = origin.port, !(origin.scheme == "http" && port == 80), !(origin.scheme == "https" && port == 443)
        else { return host }
        return "\(host):\(port)"
    }

    /// The fields of an `application/x-www-form-urlencoded` body, the last value of each name winning.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
