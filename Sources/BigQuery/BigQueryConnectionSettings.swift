import Foundation
import HTTPTransport
import ProcessModel

/// The settings of a `google-bigquery` connection.
struct BigQueryConnectionSettings: Sendable {
    enum Auth: Sendable {
        case none
        case jwtBearer(keyFile: String, tokenURL: String?, subject: String?)
    }

    var id: String
    var projectID: String
    /// The REST root, without a trailing slash (`https://bigquery.googleapis.com`).
    var rootURL: String
    var location: String?
    var auth: Auth
    var retry: RetryPolicy
    var timeouts: HTTPTimeouts

    static let defaultRootURL = "https://bigquery.googleapis.com"
    static let scope = "https://www.googleapis.com/auth/bigquery"

    /// Reads and checks a connection's settings; every problem is returned with its location.
    static func parse(_ connection: ConnectionDefinition, environment: [String: String],
                      workspaceRoot: String) -> Result<Self, SettingsProblems> {
        var problems = SettingsProblems()
        let settings = connection.settings
        let projectID = settings.text(of: "projectId") ?? ""
        if projectID.isEmpty {
            problems.add(settings.location, "connection '\(connection.id)' needs a <projectId>")
        }
        var rootURL = settings.text(of: "rootUrl") ?? defaultRootURL
        if let emulator = environment["BIGQUERY_EMULATOR_HOST"], !emulator.isEmpty {
            rootURL = emulator.contains("://") ? emulator : "http://" + emulator
        }
        while rootURL.hasSuffix("/") { rootURL.removeLast() }
        if URL(string: rootURL)?.scheme == nil {
            problems.add(settings.child("rootUrl")?.location ?? settings.location, "rootUrl '\(rootURL)' is not a URL")
        }

        var auth = Auth.none
        if let element = settings.child("auth") {
            switch element.attributes["grant"] ?? "" {
            case "none":
                auth = .none
            case "jwt-bearer":
                let keyFile = element.child("serviceAccountKey")?.attributes["file"] ?? ""
                if keyFile.isEmpty {
                    problems.add(element.location, "auth grant 'jwt-bearer' needs <serviceAccountKey file=\"…\"/>")
                }
                let path = keyFile.hasPrefix("/") ? keyFile : workspaceRoot + "/" + keyFile
                auth = .jwtBearer(keyFile: path, tokenURL: element.text(of: "tokenUrl"), subject: element.text(of: "subject"))
            case let grant:
                problems.add(element.location,
                             "auth grant '\(grant)' is not supported here: use jwt-bearer or none")
            }
        } else {
            problems.add(settings.location, "connection '\(connection.id)' needs an <auth grant=\"…\"> element")
        }

        var retry = RetryPolicy()
        if let element = settings.child("retry") {
            if let text = element.attributes["maxAttempts"] {
                if let value = Int(text), value >= 1 { retry.maxAttempts = value } else {
                    problems.add(element.location, "retry maxAttempts '\(text)' must be a whole number ≥ 1")
                }
            }
            retry.initialBackoff = duration(element, "initialBackoff", default: retry.initialBackoff, &problems)
            retry.maxBackoff = duration(element, "maxBackoff", default: retry.maxBackoff, &problems)
        }
        var timeouts = HTTPTimeouts()
        if let element = settings.child("timeouts") {
            timeouts.connect = duration(element, "connect", default: timeouts.connect, &problems)
            timeouts.request = duration(element, "request", default: timeouts.request, &problems)
        }
        guard problems.isEmpty else { return .failure(problems) }
        return .success(Self(id: connection.id, projectID: projectID, rootURL: rootURL,
                             location: settings.text(of: "location"), auth: auth, retry: retry, timeouts: timeouts))
    }

    private static func duration(_ element: SettingsElement, _ name: String, default value: Duration,
                                 _ problems: inout SettingsProblems) -> Duration {
        guard let text = element.attributes[name] else { return value }
        guard let parsed = SettingValues.duration(text), let duration = parsed else {
            problems.add(element.location, "\(name) '\(text)' is not a duration (like 500ms, 10s, 5m, 1h)")
            return value
        }
        return duration
    }
}

/// Problems found in settings, each with its location.
struct SettingsProblems: Error, Sendable, CustomStringConvertible {
    var diagnostics: [Diagnostic] = []

    var isEmpty: Bool { diagnostics.isEmpty }

    mutating func add(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
