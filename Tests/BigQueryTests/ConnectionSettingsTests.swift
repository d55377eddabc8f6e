@testable import BigQuery
import ProcessModel
import Testing

private let here = SourceLocation(file: "connectors/bq.xml", line: 2, column: 1)

private func connection(_ children: [SettingsElement]) -> ConnectionDefinition {
    ConnectionDefinition(id: "bq", type: "google-bigquery",
                         settings: SettingsElement(name: "connection", children: children, location: here), location: here)
}

private func element(_ name: String, _ text: String = "", _ attributes: [String: String] = [:],
                     _ children: [SettingsElement] = []) -> SettingsElement {
    SettingsElement(name: name, attributes: attributes, text: text, children: children, location: here)
}

@Suite("BigQuery connection settings")
struct ConnectionSettingsTests {
    @Test("defaults, and BIGQUERY_EMULATOR_HOST overriding rootUrl")
    func rootURL() throws {
        let definition = connection([element("projectId", "demo"), element("auth", "", ["grant": "none"])])
        let plain = try BigQueryConnectionSettings.parse(definition, environment: [:], workspaceRoot: "/ws").get()
        #expect(plain.rootURL == "https://bigquery.googleapis.com")
        #expect(plain.retry.maxAttempts == 8)
        let emulated = try BigQueryConnectionSettings.parse(definition, environment: ["BIGQUERY_EMULATOR_HOST": "127.0.0.1:9050"],
                                                            workspaceRoot: "/ws").get()
        #expect(emulated.rootURL == "http://127.0.0.1:9050")
    }

    @Test("retry, timeouts and a relative key file")
    func retryAndAuth() throws {
        let definition = connection([
            element("projectId", "demo"),
            element("auth", "", ["grant": "jwt-bearer"], [element("serviceAccountKey", "", ["file": "keys/sa.json"]),
                                                           element("tokenUrl", "http://127.0.0.1:1/token")]),
            element("retry", "", ["maxAttempts": "3", "initialBackoff": "250ms", "maxBackoff": "4s"]),
            element("timeouts", "", ["connect": "2s", "request": "1m"]),
        ])
        let settings = try BigQueryConnectionSettings.parse(definition, environment: [:], workspaceRoot: "/ws").get()
        #expect(settings.retry.maxAttempts == 3)
        #expect(settings.retry.initialBackoff == .milliseconds(250))
        #expect(settings.retry.maxBackoff == .seconds(4))
        #expect(settings.timeouts.connect == .seconds(2))
        #expect(settings.timeouts.request == .seconds(60))
        guard case .serviceAccountKey(let file, let tokenURL, _) = settings.auth else {
            Issue.record("expected jwt-bearer")
            return
        }
        #expect(file == "/ws/keys/sa.json")
        #expect(tokenURL == "http://127.0.0.1:1/token")
    }

    @Test("every problem is reported with its location")
    func problems() {
        let definition = connection([
            element("auth", "", ["grant": "magic"]),
            element("retry", "", ["maxAttempts": "0", "initialBackoff": "soon"]),
        ])
        guard case .failure(let problems) = BigQueryConnectionSettings.parse(definition, environment: [:], workspaceRoot: "/") else {
            Issue.record("should fail")
            return
        }
        let text = problems.description
        #expect(text.contains("connectors/bq.xml:2:1: error: connection 'bq' needs a <projectId>"))
        #expect(text.contains("auth grant 'magic'"))
        #expect(text.contains("maxAttempts '0'"))
        #expect(text.contains("initialBackoff 'soon'"))
    }

    @Test("setting values: durations and sizes")
    func settingValues() {
        #expect(SettingValues.duration("500ms") == .some(.milliseconds(500)))
        #expect(SettingValues.duration("5m") == .some(.seconds(300)))
        #expect(SettingValues.duration("1h") == .some(.seconds(3600)))
        #expect(SettingValues.duration("-1") == .some(nil))
        #expect(SettingValues.duration("ten") == nil)
        #expect(SettingValues.size("9MB") == 9 * 1024 * 1024)
        #expect(SettingValues.size("512KB") == 512 * 1024)
        #expect(SettingValues.size("lots") == nil)
    }
}
