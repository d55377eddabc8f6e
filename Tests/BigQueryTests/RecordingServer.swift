import BigQuery
import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel
import Testing
import TestSupport

/// A local server that answers with scripted BigQuery responses and records every request, and
/// operations made through ``BigQueryConnector`` with a connection pointing at it.
struct RecordingServer {
    /// One recorded request.
    struct Request {
        var method: String
        var path: String
        var query: [String: [String]]
        var headers: [String: String]
        var body: String

        /// The body parsed as a JSON object.
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any], "body: \(body)")
        }

        /// `METHOD /path`.
        var line: String { "\(method) \(path)" }
    }

    /// A rule of the server script: requests matching `method` and the `path` pattern get the
    /// responses in turn, the last one repeating.
    struct Rule {
        var method: String
        var path: String
        var responses: [[String: Any]]

        var object: [String: Any] { ["method": method, "path": path, "responses": responses] }
    }

    /// The access token the server's token endpoint hands out.
    static let accessToken = "ya29.recorded-token"

    let server: LocalServer

    static var script: URL {
        LocalServer.packageRoot.appendingPathComponent("Tests/BigQueryTests/Fixtures/recording_server.py")
    }

    /// Starts a server with `rules` plus a token endpoint at `POST /token`.
    init(_ rules: [Rule]) async throws {
        let directory = try LocalServer.temporaryDirectory()
        let token = Rule(method: "POST", path: "/token", responses: [
            json(["access_token": Self.accessToken, "expires_in": 3600, "token_type": "Bearer"]),
        ])
        let script = directory.appendingPathComponent("script.json")
        try JSONSerialization.data(withJSONObject: ([token] + rules).map(\.object)).write(to: script)
        server = try await LocalServer(script: Self.script, arguments: ["--script", script.path], directory: directory)
    }

    /// Every request so far except the token requests, in arrival order.
    func requests() async throws -> [Request] {
        try await allRequests().filter { $0.path != "/token" }
    }

    /// Every request so far, in arrival order.
    func allRequests() async throws -> [Request] {
        let response = try await CurlHTTPClient().send(HTTPRequest(url: server.url("/_requests")))
        let list = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        return list.map { item in
            Request(method: item["method"] as? String ?? "", path: item["path"] as? String ?? "",
                    query: item["query"] as? [String: [String]] ?? [:],
                    headers: item["headers"] as? [String: String] ?? [:], body: item["body"] as? String ?? "")
        }
    }

    /// An operation of `action` made by the connector's public API, on a connection whose
    /// `rootUrl` is this server and whose tokens come from its `/token` endpoint
    /// (`application-default` with an `authorized_user` file).
    func operation(_ action: String, _ settings: [(String, String)], extra: [SettingsElement] = [],
                   retry: [String: String] = ["maxAttempts": "1"]) async throws -> any ConnectorOperation {
        let credentials = server.directory.appendingPathComponent("adc.json")
        try Data(#"{"type": "authorized_user", "client_id": "cid", "client_secret": "csecret", "refresh_token": "rt-1"}"#.utf8)
            .write(to: credentials)
        func element(_ name: String, _ text: String = "", _ attributes: [String: String] = [:],
                     _ children: [SettingsElement] = []) -> SettingsElement {
            SettingsElement(name: name, attributes: attributes, text: text, children: children, location: jobsHere)
        }
        let connection = ConnectionDefinition(id: "recorded", type: "google-bigquery", settings: element("connection", "", [:], [
            element("projectId", "demo"),
            element("rootUrl", server.url("")),
            element("location", "EU"),
            element("auth", "", ["grant": "application-default"], [element("tokenUrl", server.url("/token"))]),
            element("retry", "", retry.merging(["initialBackoff": "10ms", "maxBackoff": "20ms"]) { old, _ in old }),
        ]), location: jobsHere)
        let variables = ["GOOGLE_APPLICATION_CREDENTIALS": credentials.path]
        let connector = BigQueryConnector(environment: variables)
        return try await connector.makeOperation(
            connection: connection, operation: jobOperation(action, settings, extra: extra),
            environment: ConnectorEnvironment(workspaceRoot: server.directory.path, variables: variables))
    }

    func stop() { server.stop() }
}

/// A scripted answer with a JSON body.
func json(_ value: [String: Any], status: Int = 200) -> [String: Any] {
    ["status": status, "json": value]
}

/// Parses a JSON document's text.
func object(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not an object: \(text)")
}
