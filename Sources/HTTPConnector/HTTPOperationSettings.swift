import DocumentMapping
import HTTPTransport
import ProcessEngine
import ProcessModel

/// How a GET follows the pages of a listing (`<pagination style="…">`).
enum HTTPPagination: Sendable {
    /// The `Link` response header's `rel="next"` URL.
    case linkHeader
    /// The next page's URL at a JSON path of the body.
    case nextURL(path: DocumentPath)
    /// A token at a JSON path of the body, sent back as query parameter `parameter`.
    case nextToken(path: DocumentPath, parameter: String)
    /// `parameter` counts items from `start`, `limitParameter` asks for `limit` a page; a page with
    /// fewer items than `limit` is the last.
    case offset(parameter: String, limitParameter: String, limit: Int, start: Int)
    /// `parameter` numbers pages from `start`; an empty page is the last.
    case page(parameter: String, start: Int)
}

/// A `{…}` template with where it was written, for messages.
struct HTTPTemplate: Sendable {
    var text: InterpolatedText
    var location: SourceLocation
}

/// A named value sent with a request: a query parameter or a header.
struct HTTPNamedTemplate: Sendable {
    var name: String
    var value: HTTPTemplate
}

/// The settings of an `http` operation, checked.
struct HTTPOperationSettings: Sendable {
    var id: String
    var method: String
    var path: HTTPTemplate?
    var query: [HTTPNamedTemplate]
    var headers: [HTTPNamedTemplate]
    /// Whether the document is sent as the request body.
    var sendsBody: Bool
    var returnApplicationErrors: Bool
    var pagination: HTTPPagination?
    /// `<split path="…">`: the array whose elements become the output documents, page by page.
    var split: DocumentPath?
    /// The most pages one listing may have before it is refused as endless.
    var maxPages: Int

    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    static func parse(_ operation: OperationDefinition) -> Result<Self, WorkspaceError> {
        let settings = operation.settings
        var problems: [Diagnostic] = []
        func report(_ element: SettingsElement?, _ message: String) {
            problems.append(Diagnostic(element?.location ?? operation.location, "http operation '\(operation.id)': " + message))
        }
        func template(_ text: String, _ element: SettingsElement) -> HTTPTemplate? {
            do { return HTTPTemplate(text: try InterpolatedText(text), location: element.location) } catch {
                report(element, error.message)
                return nil
            }
        }
        func path(_ element: SettingsElement, _ attribute: String) -> DocumentPath? {
            let text = element.attributes[attribute] ?? ""
            if text.isEmpty { report(element, "<\(element.name)> needs \(attribute)=\"/json/path\""); return nil }
            do { return try DocumentPath(text) } catch {
                report(element, "<\(element.name)> \(attribute) '\(text)' is not a valid path (\(error))")
                return nil
            }
        }
        if operation.action != "send" {
            report(nil, "has action '\(operation.action)': the http connector's action is send")
        }
        let method = (settings.text(of: "method") ?? "GET").uppercased()
        if !methods.contains(method) {
            report(settings.child("method"), "<method> '\(method)' is not one of \(methods.joined(separator: ", "))")
        }
        var pathTemplate: HTTPTemplate?
        if let element = settings.child("path") {
            if !element.text.isEmpty, !element.text.hasPrefix("/") {
                report(element, "<path> '\(element.text)' must start with '/' (it is appended to the connection's baseUrl)")
            } else if element.text.contains("?") || element.text.contains("#") {
                report(element, "<path> must not contain '?' or '#': give query parameters with <queryParameter>")
            } else {
                pathTemplate = template(element.text, element)
            }
        }
        func named(_ elementName: String, header: Bool) -> [HTTPNamedTemplate] {
            settings.children(named: elementName).compactMap { element in
                let name = element.attributes["name"] ?? ""
                if header ? !HTTPHeaderName.isValid(name) : name.isEmpty {
                    report(element, "<\(elementName)> needs a name=\"…\"" + (header ? " that is a valid header name, not '\(name)'" : ""))
                    return nil
                }
                return template(element.attributes["value"] ?? "", element).map { HTTPNamedTemplate(name: name, value: $0) }
            }
        }
        let query = named("queryParameter", header: false)
        let headers = named("header", header: true)
        var sendsBody = ["POST", "PUT", "PATCH"].contains(method)
        if let element = settings.child("body") {
            switch element.text {
            case "document": sendsBody = true
            case "none": sendsBody = false
            default: report(element, "<body> must be document or none, not '\(element.text)'")
            }
            if sendsBody, method == "GET" { report(element, "a GET sends no body: use <body>none</body> or another method") }
        }
        var returnErrors = false
        if let element = settings.child("returnApplicationErrors") {
            if let flag = SettingValues.bool(element.text) { returnErrors = flag } else {
                report(element, "<returnApplicationErrors> must be true or false, not '\(element.text)'")
            }
        }
        var pagination: HTTPPagination?
        var maxPages = 100_000
        if let element = settings.child("pagination") {
            if method != "GET" { report(element, "<pagination> is for GET, and the method is \(method)") }
            func name(_ attribute: String, default value: String) -> String {
                let text = element.attributes[attribute] ?? value
                if text.isEmpty { report(element, "<pagination> \(attribute) must not be empty") }
                return text
            }
            func number(_ attribute: String, default value: Int, _ range: ClosedRange<Int>) -> Int {
                guard let text = element.attributes[attribute] else { return value }
                guard let parsed = Int(text), range.contains(parsed) else {
                    report(element, "<pagination> \(attribute) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
                    return value
                }
                return parsed
            }
            maxPages = number("maxPages", default: maxPages, 1...10_000_000)
            switch element.attributes["style"] ?? "" {
            case "link-header": pagination = .linkHeader
            case "next-url": pagination = path(element, "path").map { .nextURL(path: $0) }
            case "next-token":
                let parameter = name("parameter", default: "pageToken")
                pagination = path(element, "path").map { .nextToken(path: $0, parameter: parameter) }
            case "offset":
                pagination = .offset(parameter: name("parameter", default: "offset"),
                                     limitParameter: name("limitParameter", default: "limit"),
                                     limit: number("limit", default: 100, 1...1_000_000), start: number("start", default: 0, 0...Int.max))
            case "page":
                pagination = .page(parameter: name("parameter", default: "page"), start: number("start", default: 1, 0...Int.max))
            case let style:
                report(element, "<pagination> style '\(style)' is not one of link-header, next-url, next-token, offset, page")
            }
        }
        var split: DocumentPath?
        if let element = settings.child("split") {
            split = path(element, "path")
        }
        if case .offset = pagination, split == nil {
            report(settings.child("pagination"), "offset pagination counts items: add <split path=\"…\"/> naming the array of items")
        }
        if case .page = pagination, split == nil {
            report(settings.child("pagination"), "page pagination stops at an empty page: add <split path=\"…\"/> naming the array of items")
        }
        guard problems.isEmpty else { return .failure(WorkspaceError(problems)) }
        return .success(Self(id: operation.id, method: method, path: pathTemplate, query: query, headers: headers,
                             sendsBody: sendsBody, returnApplicationErrors: returnErrors, pagination: pagination,
                             split: split, maxPages: maxPages))
    }
}
