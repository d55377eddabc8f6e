import Foundation
import GoogleAuth
import HTTPTransport
import ProcessModel

/// The settings of a `google-bigquery` connection.
struct BigQueryConnectionSettings: Sendable {
    typealias Auth = AuthConfiguration

    var id: String
    var projectID: String
    /// The REST root, without a trailing slash (`https://bigquery.googleapis.com`).
    var rootURL: String
    var location: String?
    var auth: Auth
    var retry: RetryPolicy
    var timeouts: HTTPTimeouts
    /// `<caFile>`: a PEM file of certificate authorities to trust instead of the system's
    /// (resolved against the workspace); nil for the system's.
    var caFile: String?

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
            auth = parseAuth(element, connection: connection.id, workspaceRoot: workspaceRoot, &problems)
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
        var caFile: String?
        if let element = settings.child("caFile") {
            let file = element.text
            if file.isEmpty {
                problems.add(element.location, "<caFile> needs the path of a PEM file of certificate authorities")
            } else {
                caFile = file.hasPrefix("/") ? file : workspaceRoot + "/" + file
            }
        }
        guard problems.isEmpty else { return .failure(problems) }
        return .success(Self(id: connection.id, projectID: projectID, rootURL: rootURL,
                             location: settings.text(of: "location"), auth: auth, retry: retry, timeouts: timeouts,
                             caFile: caFile))
    }

    /// Reads `<auth grant="…">`: none, jwt-bearer (key file, or issuer + signature key),
    /// authorization-code, application-default.
    static func parseAuth(_ element: SettingsElement, connection: String, workspaceRoot: String,
                          _ problems: inout SettingsProblems) -> Auth {
        func resolve(_ file: String) -> String {
            file.hasPrefix("/") ? file : workspaceRoot + "/" + file
        }
        let tokenURL = element.text(of: "tokenUrl").flatMap { $0.isEmpty ? nil : $0 }
        let subject = element.text(of: "subject").flatMap { $0.isEmpty ? nil : $0 }
        switch element.attributes["grant"] ?? "" {
        case "none":
            return .none
        case "jwt-bearer":
            if let keyElement = element.child("signatureKey") {
                let file = keyElement.attributes["file"] ?? ""
                let issuer = element.text(of: "issuer") ?? ""
                if file.isEmpty {
                    problems.add(keyElement.location, "<signatureKey> needs a file=\"…\" (PEM or PKCS#12)")
                }
                if issuer.isEmpty {
                    problems.add(element.location, "auth grant 'jwt-bearer' with <signatureKey> needs an <issuer> (the service account e-mail)")
                }
                return .signatureKey(issuer: issuer, path: resolve(file), password: keyElement.attributes["password"],
                                     tokenURL: tokenURL, subject: subject)
            }
            let keyFile = element.child("serviceAccountKey")?.attributes["file"] ?? ""
            if keyFile.isEmpty {
                problems.add(element.location, "auth grant 'jwt-bearer' needs <serviceAccountKey file=\"…\"/> or <issuer> and <signatureKey file=\"…\"/>")
            }
            return .serviceAccountKey(path: resolve(keyFile), tokenURL: tokenURL, subject: subject)
        case "authorization-code":
            let clientID = element.text(of: "clientId") ?? ""
            let secret = element.text(of: "clientSecret") ?? ""
            for (name, value) in [("clientId", clientID), ("clientSecret", secret)] where value.isEmpty {
                problems.add(element.child(name)?.location ?? element.location,
                             "auth grant 'authorization-code' of connection '\(connection)' needs a <\(name)>")
            }
            let scopes = (element.text(of: "scope") ?? scope).split(whereSeparator: \.isWhitespace).map(String.init)
            return .authorizationCode(AuthorizationCodeClient(
                clientID: clientID, clientSecret: secret, scopes: scopes.isEmpty ? [scope] : scopes,
                authorizationURL: element.text(of: "authorizationUrl").flatMap { $0.isEmpty ? nil : $0 }
                    ?? AuthorizationCodeClient.defaultAuthorizationURL,
                tokenURL: tokenURL ?? ServiceAccountKey.defaultTokenURI))
        case "application-default":
            return .applicationDefault(tokenURL: tokenURL)
        case let grant:
            problems.add(element.location,
                         "auth grant '\(grant)' is not supported: use jwt-bearer, authorization-code, application-default or none")
            return .none
        }
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

extension BigQueryConnector {
    /// The `<auth>` configuration of a `google-bigquery` connection; relative key files are
    /// resolved against `workspaceRoot`.
    ///
    /// - Throws: ``SettingsProblems`` naming each problem's location.
    public static func authConfiguration(of connection: ConnectionDefinition, workspaceRoot: String) throws -> AuthConfiguration {
        var problems = SettingsProblems()
        guard let element = connection.settings.child("auth") else {
            problems.add(connection.settings.location, "connection '\(connection.id)' needs an <auth grant=\"…\"> element")
            throw problems
        }
        let auth = BigQueryConnectionSettings.parseAuth(element, connection: connection.id, workspaceRoot: workspaceRoot, &problems)
        guard problems.isEmpty else { throw problems }
        return auth
    }
}

/// Problems found in connection or operation settings, each with its location.
public struct SettingsProblems: Error, Sendable, CustomStringConvertible {
    /// The problems, as `file:line:col: error: message` diagnostics.
    public var diagnostics: [Diagnostic] = []

    var isEmpty: Bool { diagnostics.isEmpty }

    mutating func add(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(location, message))
    }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
