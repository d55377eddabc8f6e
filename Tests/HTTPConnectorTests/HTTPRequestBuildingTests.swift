import Foundation
import HTTPTransport
@testable import HTTPConnector
import ProcessEngine
import ProcessModel
import Testing

/// How an `http` operation's settings are checked and how a document becomes a request.
@Suite struct HTTPRequestBuildingTests {
    static func element(_ name: String, _ text: String = "", _ attributes: [String: String] = [:], line: Int) -> SettingsElement {
        SettingsElement(name: name, attributes: attributes, text: text, location: SourceLocation(file: "connectors/x.xml", line: line))
    }

    static func element(_ name: String, _ attributes: [String: String], line: Int) -> SettingsElement {
        element(name, "", attributes, line: line)
    }

    static func connection(_ children: [SettingsElement]) -> ConnectionDefinition {
        let location = SourceLocation(file: "connectors/api.xml", line: 1)
        return ConnectionDefinition(id: "api", type: "http", settings: SettingsElement(
            name: "connection", children: children, location: location), location: location)
    }

    static func operation(_ children: [SettingsElement]) -> OperationDefinition {
        let location = SourceLocation(file: "connectors/op.xml", line: 1)
        return OperationDefinition(id: "op", type: "http", action: "send", settings: SettingsElement(
            name: "operation", children: children, location: location), location: location)
    }

    static func exchange(_ operationChildren: [SettingsElement]) throws -> HTTPExchange {
        let connection = try HTTPConnectionSettings.parse(connection([
            element("baseUrl", "https://api.example.com/v1/", line: 2),
            element("header", ["name": "Accept", "value": "application/json"], line: 3),
        ]), workspaceRoot: "/ws").get()
        let settings = try HTTPOperationSettings.parse(operation(operationChildren)).get()
        return HTTPExchange(connection: connection, settings: settings, client: CurlHTTPClient(),
                            authorizer: HTTPAuthorizer(auth: .none, client: CurlHTTPClient()))
    }

    static let context = OperationContext(
        execution: ExecutionInfo(id: "e1", processID: "p", processName: "p", startTime: Date(), trigger: .manual),
        shapeID: "call", processProperties: ["region": "eu west"], environment: [:])

    @Test func documentPropertiesFillPathQueryAndHeaders() throws {
        let exchange = try Self.exchange([
            Self.element("method", "post", line: 2),
            Self.element("path", "/customers/{customerId}/notes", line: 3),
            Self.element("queryParameter", ["name": "region", "value": "{process:region}"], line: 4),
            Self.element("header", ["name": "X-Trace", "value": "{trace}"], line: 5),
        ])
        let document = Document(data: Array(#"{"note":"hi"}"#.utf8), properties: ["customerId": "a/b c", "trace": "t-1"], index: 4)
        let request = try exchange.request(for: document, context: Self.context)
        #expect(request.method == "POST")
        #expect(request.url == "https://api.example.com/v1/customers/a%2Fb%20c/notes?region=eu%20west")
        #expect(request.headers.first(named: "X-Trace") == "t-1")
        #expect(request.headers.first(named: "Accept") == "application/json")
        #expect(request.headers.first(named: "Content-Type") == "application/json")
        #expect(request.body == document.data)
    }

    @Test func unsafeValuesFailTheDocument() throws {
        let exchange = try Self.exchange([
            Self.element("path", "/customers/{customerId}", line: 3),
            Self.element("header", ["name": "X-Trace", "value": "{trace}"], line: 5),
        ])
        let dotDot = Document(data: [], properties: ["customerId": "..", "trace": "t"], index: 7)
        #expect(throws: DocumentError.self) { try exchange.request(for: dotDot, context: Self.context) }
        let split = Document(data: [], properties: ["customerId": "1", "trace": "a\r\nX-Evil: 1"], index: 8)
        do {
            _ = try exchange.request(for: split, context: Self.context)
            Issue.record("a header value with a line break was sent")
        } catch {
            #expect("\(error)".contains("document 8") && "\(error)".contains("line break"), "\(error)")
        }
        let missing = Document(data: [], properties: [:], index: 9)
        #expect(throws: DocumentError.self) { try exchange.request(for: missing, context: Self.context) }
    }

    @Test func responsePropertiesAndExcerpt() {
        let response = HTTPResponse(status: 201, headers: [HTTPHeader("Content-Type", "application/json"),
                                                           HTTPHeader("Vary", "Accept"), HTTPHeader("vary", "Origin"),
                                                           HTTPHeader("Set-Cookie", "session=secret")])
        let properties = HTTPExchange.properties(of: response, adding: ["key": "k"])
        #expect(properties == ["key": "k", "http.status": "201", "http.header.content-type": "application/json",
                               "http.header.vary": "Accept, Origin"])
        let long = HTTPExchange.excerpt(Array(("line one\n  line two " + String(repeating: "x", count: 300)).utf8))
        #expect(long.hasPrefix("line one line two xxx") && long.count == 201 && long.hasSuffix("…"))
        // A server echoing the request's credentials does not put them in the error message.
        let request = HTTPRequest(url: "https://api.example.com/x",
                                  headers: [HTTPHeader("Authorization", "Basic YWxpY2U6czNjcmV0")])
        #expect(HTTPExchange.credentials(of: request) == ["YWxpY2U6czNjcmV0"])
        let echoed = HTTPExchange.excerpt(Array("{\"authorization\": \"Basic YWxpY2U6czNjcmV0\"}".utf8),
                                          hiding: HTTPExchange.credentials(of: request))
        #expect(echoed == "{\"authorization\": \"Basic ***\"}")
    }

    @Test func badConnectionSettingsNameTheirLines() {
        let connection = Self.connection([
            Self.element("baseUrl", "https://api.example.com/v1?key=1", line: 2),
            Self.element("auth", ["grant": "basic"], line: 3),
            Self.element("requestsPerSecond", "fast", line: 4),
            Self.element("timeouts", ["request": "soon"], line: 5),
        ])
        guard case .failure(let problems) = HTTPConnectionSettings.parse(connection, workspaceRoot: "/ws") else {
            Issue.record("bad settings were accepted")
            return
        }
        let text = problems.description
        for expected in ["x.xml:2", "must not have a query", "x.xml:3", "auth grant 'basic' needs a <user>",
                         "x.xml:4", "<requestsPerSecond> must be a number", "x.xml:5", "request 'soon' is not a duration"] {
            #expect(text.contains(expected), "\(expected): \(text)")
        }
    }
}
