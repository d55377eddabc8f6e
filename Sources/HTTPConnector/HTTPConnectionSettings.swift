import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel

/// How an `http` connection proves who it is (`<auth grant="…">`). Secrets are held here and
/// never written into a message.
enum HTTPAuth: Sendable {
    case none
    /// `Authorization: Basic base64(user:password)`.
    case basic(user: String, password: String)
    /// `Authorization: Bearer token`.
    case bearer(token: String)
    /// A key sent as a header or as a query parameter.
    case apiKey(name: String, inQuery: Bool, key: String)
    /// OAuth 2.0 client credentials: a token fetched from `tokenURL` and cached until it expires.
    case clientCredentials(tokenURL: String, clientID: String, clientSecret: String, scope: String?)
}

/// The settings of an `http` connection, checked.
struct HTTPConnectionSettings: Sendable {
    var id: String
    /// The URL paths are appended to, without a trailing slash.
    var baseURL: String
    var auth: HTTPAuth
    /// `<header name="…" value="…"/>`: sent with every request.
    var headers: [HTTPHeader]
    var timeouts: HTTPTimeouts
    var retry: RetryPolicy
    /// An absolute path, when set.
    var caFile: String?
    /// Requests started per second at most; nil for no limit.
    var requestsPerSecond: Double?
    /// Requests waiting for an answer at once at most.
    var maxInFlight: Int

    static let defaultMaxInFlight = 8

    /// Reads and checks a connection's settings; every problem names its element's file and line.
    static func parse(_ connection: ConnectionDefinition, workspaceRoot: String) -> Result<Self, WorkspaceError> {
        let settings = connection.settings
        var problems: [Diagnostic] = []
        func report(_ element: SettingsElement?, _ message: String) {
            problems.append(Diagnostic(element?.location ?? connection.location, "http connection '\(connection.id)': " + message))
        }
        var baseURL = settings.text(of: "baseUrl") ?? ""
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        if baseURL.isEmpty {
            report(settings.child("baseUrl"), "needs a <baseUrl> (such as https://api.example.com/v1)")
        } else if let url = URLComponents(string: baseURL), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host?.isEmpty == false {
            if url.query != nil || url.fragment != nil {
                report(settings.child("baseUrl"), "<baseUrl> must not have a query or fragment: "
                       + "give query parameters with <queryParameter> in the operation")
            }
        } else {
            report(settings.child("baseUrl"), "<baseUrl> '\(baseURL)' is not an http or https URL with a host")
        }
        var headers: [HTTPHeader] = []
        for element in settings.children(named: "header") {
            let name = element.attributes["name"] ?? ""
            if !HTTPHeaderName.isValid(name) {
                report(element, "<header> needs a name=\"…\" made of letters, digits and !#$%&'*+-.^_`|~, not '\(name)'")
            } else if (element.attributes["value"] ?? "").unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                report(element, "<header name=\"\(name)\"> has a line break in its value")
            } else {
                headers.append(HTTPHeader(name, element.attributes["value"] ?? ""))
            }
        }
        var auth = HTTPAuth.none
        if let element = settings.child("auth") {
            auth = parseAuth(element, report: report)
        }
        var timeouts = HTTPTimeouts(connect: .seconds(10), request: .seconds(60))
        if let element = settings.child("timeouts") {
            timeouts.connect = duration(element, "connect", default: timeouts.connect, report)
            timeouts.request = duration(element, "request", default: timeouts.request, report)
        }
        var retry = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(500), maxBackoff: .seconds(30))
        if let element = settings.child("retry") {
            if let text = element.attributes["maxAttempts"] {
                if let value = Int(text), (1...100).contains(value) { retry.maxAttempts = value } else {
                    report(element, "retry maxAttempts '\(text)' must be a whole number from 1 to 100")
                }
            }
            retry.initialBackoff = duration(element, "initialBackoff", default: retry.initialBackoff, report)
            retry.maxBackoff = duration(element, "maxBackoff", default: retry.maxBackoff, report)
        }
        var caFile: String?
        if let element = settings.child("caFile") {
            if element.text.isEmpty {
                report(element, "<caFile> is empty: name a PEM file of trusted certificate authorities")
            } else {
                caFile = element.text.hasPrefix("/") ? element.text : workspaceRoot + "/" + element.text
            }
        }
        var requestsPerSecond: Double?
        if let element = settings.child("requestsPerSecond") {
            if let value = Double(element.text), value > 0, value <= 100_000 { requestsPerSecond = value } else {
                report(element, "<requestsPerSecond> must be a number above 0 and at most 100000, not '\(element.text)'")
            }
        }
        var maxInFlight = defaultMaxInFlight
        if let element = settings.child("maxInFlight") {
            if let value = Int(element.text), (1...256).contains(value) { maxInFlight = value } else {
                report(element, "<maxInFlight> must be a whole number from 1 to 256, not '\(element.text)'")
            }
        }
        guard problems.isEmpty else { return .failure(WorkspaceError(problems)) }
        return .success(Self(id: connection.id, baseURL: baseURL, auth: auth, headers: headers, timeouts: timeouts,
                             retry: retry, caFile: caFile, requestsPerSecond: requestsPerSecond, maxInFlight: maxInFlight))
    }

    /// Reads `<auth grant="…">`: none, basic, bearer, api-key or client-credentials.
    private static func parseAuth(_ element: SettingsElement, report: (SettingsElement?, String) -> Void) -> HTTPAuth {
        func required(_ name: String, _ grant: String) -> String {
            guard let text = element.text(of: name), !text.isEmpty else {
                report(element.child(name) ?? element, "auth grant '\(grant)' needs a <\(name)>")
                return ""
            }
            return text
        }
        switch element.attributes["grant"] ?? "" {
        case "none":
            return .none
        case "basic":
            let user = required("user", "basic")
            if user.contains(":") { report(element.child("user"), "a basic auth <user> cannot contain ':'") }
            return .basic(user: user, password: element.text(of: "password") ?? "")
        case "bearer":
            return .bearer(token: required("token", "bearer"))
        case "api-key":
            let key = required("apiKey", "api-key")
            let keyElement = element.child("apiKey")
            let header = keyElement?.attributes["header"], query = keyElement?.attributes["query"]
            switch (header, query) {
            case (let name?, nil) where HTTPHeaderName.isValid(name):
                return .apiKey(name: name, inQuery: false, key: key)
            case (nil, let name?) where !name.isEmpty:
                return .apiKey(name: name, inQuery: true, key: key)
            default:
                report(keyElement ?? element, "<apiKey> needs either header=\"NAME\" (a valid header name) or query=\"NAME\"")
                return .none
            }
        case "client-credentials":
            let tokenURL = required("tokenUrl", "client-credentials")
            if !tokenURL.isEmpty, URLComponents(string: tokenURL)?.host == nil {
                report(element.child("tokenUrl"), "<tokenUrl> '\(tokenURL)' is not an http or https URL")
            }
            return .clientCredentials(tokenURL: tokenURL, clientID: required("clientId", "client-credentials"),
                                      clientSecret: required("clientSecret", "client-credentials"),
                                      scope: element.text(of: "scope").flatMap { $0.isEmpty ? nil : $0 })
        case let grant:
            report(element, "auth grant '\(grant)' is not supported: use none, basic, bearer, api-key or client-credentials")
            return .none
        }
    }

    private static func duration(_ element: SettingsElement, _ name: String, default value: Duration,
                                 _ report: (SettingsElement?, String) -> Void) -> Duration {
        guard let text = element.attributes[name] else { return value }
        guard let parsed = SettingValues.duration(text), let duration = parsed, duration > .zero else {
            report(element, "\(name) '\(text)' is not a duration (like 500ms, 10s, 5m)")
            return value
        }
        return duration
    }
}

/// Header field names as RFC 9110 allows them (a token).
enum HTTPHeaderName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
        }
    }
}
