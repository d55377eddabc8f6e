import ConveyorBase
import ExecutionStore
import Foundation
import Hummingbird
import Logging
import ProcessModel

/// Renders the reporting pages from the execution store.
struct ReportingPages: Sendable {
    let store: ExecutionStore
    let workspace: Workspace
    let routes: ReportingRoutes
    /// How long a cluster host may be silent before it is shown as not heard from (`--host-timeout`).
    var hostTimeout: TimeInterval = 30
    /// This host's id in its cluster, if it is in one.
    var currentHost: String?
    /// Signs the retry forms (the server's, see ``FormToken``); nil shows no form.
    var forms: FormToken?
    /// Redacts the workspace's secret values from the texts of process diagrams.
    var redactor = SecretRedactor([])

    /// The query parameters of a request, the last value of each name winning; empty values dropped.
    static func parameters(of request: Request) -> [String: String] {
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters {
            let text = String(value).trimming(.whitespaces)
            if !text.isEmpty { parameters[String(name)] = text }
        }
        return parameters
    }

    /// The 1-based page number of `page=`, 1 when absent or not a positive number.
    static func page(_ parameters: [String: String]) -> Int {
        parameters["page"].flatMap(Int.init).map { max(1, min($0, 100_000)) } ?? 1
    }

    /// Parses a time from a form: ISO-8601 (`2026-01-31T12:00:00Z`), or the browser's
    /// `datetime-local` value (`2026-01-31T12:00`, seconds optional), or a day (`2026-01-31`), taken as UTC.
    static func time(_ text: String) -> Date? {
        if let date = HostJSON.date(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm",
                       "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// Previous and next page links keeping the other parameters.
    static func pager(path: String, parameters: [String: String], page: Int, hasNext: Bool,
                      label: String) -> HTML {
        guard page > 1 || hasNext else { return "" }
        func url(_ number: Int) -> ReportingURL {
            var query = parameters.filter { $0.key != "page" }.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) }
            if number > 1 { query.append(("page", String(number))) }
            return ReportingURL(path, query)
        }
        let previous: HTML = page > 1 ? "<a rel=\"prev\" href=\"\(url(page - 1))\">← newer</a>" : ""
        let next: HTML = hasNext ? "<a rel=\"next\" href=\"\(url(page + 1))\">older →</a>" : ""
        return "<div class=\"pager\">\(previous)<span class=\"muted\">\(label) page \(page)</span>\(next)</div>"
    }

    /// A `<select>` with an "any" choice and `options`, the current value selected.
    static func select(_ name: String, label: String, options: [String], current: String?) -> HTML {
        var choices: [HTML] = ["<option value=\"\">any</option>"]
        for option in options {
            choices.append(option == current ? "<option selected value=\"\(option)\">\(option)</option>"
                                             : "<option value=\"\(option)\">\(option)</option>")
        }
        if let current, !options.contains(current) {
            choices.append("<option selected value=\"\(current)\">\(current)</option>")
        }
        return "<label>\(label)<select name=\"\(name)\" id=\"filter-\(name)\">\(choices)</select></label>"
    }

    /// A page for a store failure: 400 for a request the store refused (an ambiguous id prefix),
    /// 500 otherwise; never the store file's path.
    func storeFailure(_ error: any Error, section: ReportingPage.Section) -> Response {
        guard let failure = error as? StoreError else {
            return ReportingPage.failure(.internalServerError, title: "The execution store failed",
                                         message: "\(type(of: error))", section: section)
        }
        if !failure.isDatabaseFailure {
            return ReportingPage.failure(.badRequest, title: "Bad request", message: failure.message, section: section)
        }
        return ReportingPage.failure(.internalServerError, title: "The execution store failed",
                                     message: "\(failure.operation): \(failure.message)", section: section)
    }
}
