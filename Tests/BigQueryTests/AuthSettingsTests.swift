@testable import BigQuery
import GoogleAuth
import ProcessModel
import Testing

private let here = SourceLocation(file: "connectors/bq.xml", line: 3, column: 5)

private func element(_ name: String, _ text: String = "", _ attributes: [String: String] = [:],
                     _ children: [SettingsElement] = []) -> SettingsElement {
    SettingsElement(name: name, attributes: attributes, text: text, children: children, location: here)
}

private func parse(_ auth: SettingsElement) -> Result<BigQueryConnectionSettings, SettingsProblems> {
    let settings = SettingsElement(name: "connection", children: [element("projectId", "demo"), auth], location: here)
    return BigQueryConnectionSettings.parse(ConnectionDefinition(id: "bq", type: "google-bigquery", settings: settings,
                                                                 location: here),
                                            environment: [:], workspaceRoot: "/ws")
}

@Suite("BigQuery auth settings")
struct AuthSettingsTests {
    @Test("jwt-bearer with issuer, subject and a PKCS#12 signature key")
    func signatureKey() throws {
        let settings = try parse(element("auth", "", ["grant": "jwt-bearer"], [
            element("issuer", "loader@demo.iam.gserviceaccount.com"),
            element("subject", "auditor@example.com"),
            element("signatureKey", "", ["file": "keys/sa.p12", "password": "pw"]),
        ])).get()
        #expect(settings.auth == .signatureKey(issuer: "loader@demo.iam.gserviceaccount.com", path: "/ws/keys/sa.p12",
                                               password: "pw", tokenURL: nil, subject: "auditor@example.com"))
    }

    @Test("a signature key without issuer or file names both problems")
    func signatureKeyProblems() {
        guard case .failure(let problems) = parse(element("auth", "", ["grant": "jwt-bearer"],
                                                          [element("signatureKey")])) else {
            Issue.record("should fail")
            return
        }
        #expect(problems.description.contains("<signatureKey> needs a file="))
        #expect(problems.description.contains("needs an <issuer>"))
        #expect(problems.description.contains("connectors/bq.xml:3:5: error:"))
    }

    @Test("authorization-code with defaults for the URLs and the BigQuery scope")
    func authorizationCode() throws {
        let settings = try parse(element("auth", "", ["grant": "authorization-code"], [
            element("clientId", "client-1"), element("clientSecret", "s3cret"),
        ])).get()
        guard case .authorizationCode(let client) = settings.auth else {
            Issue.record("expected authorization-code, got \(settings.auth)")
            return
        }
        #expect(client.clientID == "client-1")
        #expect(client.authorizationURL == AuthorizationCodeClient.defaultAuthorizationURL)
        #expect(client.tokenURL == "https://oauth2.googleapis.com/token")
        #expect(client.scopes == ["https://www.googleapis.com/auth/bigquery"])
    }

    @Test("authorization-code without client id or secret is refused")
    func authorizationCodeProblems() {
        guard case .failure(let problems) = parse(element("auth", "", ["grant": "authorization-code"])) else {
            Issue.record("should fail")
            return
        }
        #expect(problems.description.contains("needs a <clientId>"))
        #expect(problems.description.contains("needs a <clientSecret>"))
    }

    @Test("application-default keeps a token URL override")
    func applicationDefault() throws {
        let settings = try parse(element("auth", "", ["grant": "application-default"],
                                         [element("tokenUrl", "http://127.0.0.1:8/token")])).get()
        #expect(settings.auth == .applicationDefault(tokenURL: "http://127.0.0.1:8/token"))
    }
}
