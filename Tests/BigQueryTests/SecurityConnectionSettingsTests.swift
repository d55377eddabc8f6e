@testable import BigQuery
import ProcessModel
import Testing

/// `<caFile>` names the certificate authorities a `google-bigquery` connection trusts.
@Suite struct SecurityConnectionSettingsTests {
    static let here = SourceLocation(file: "connectors/bq.xml", line: 2, column: 1)

    static func settings(_ caFile: String?) -> Result<BigQueryConnectionSettings, SettingsProblems> {
        var children = [SettingsElement(name: "projectId", text: "demo", location: here),
                        SettingsElement(name: "auth", attributes: ["grant": "none"], location: here)]
        if let caFile { children.append(SettingsElement(name: "caFile", text: caFile, location: here)) }
        let definition = ConnectionDefinition(id: "bq", type: "google-bigquery",
                                              settings: SettingsElement(name: "connection", children: children, location: here),
                                              location: here)
        return BigQueryConnectionSettings.parse(definition, environment: [:], workspaceRoot: "/ws")
    }

    @Test func theSystemAuthoritiesAreTheDefault() throws {
        #expect(try Self.settings(nil).get().caFile == nil)
    }

    @Test func aRelativeCAFileIsResolvedAgainstTheWorkspace() throws {
        #expect(try Self.settings("certs/ca.pem").get().caFile == "/ws/certs/ca.pem")
        #expect(try Self.settings("/etc/ssl/private-ca.pem").get().caFile == "/etc/ssl/private-ca.pem")
    }

    @Test func anEmptyCAFileIsAnError() {
        guard case .failure(let problems) = Self.settings("") else {
            Issue.record("an empty <caFile> was accepted")
            return
        }
        #expect(problems.description == "connectors/bq.xml:2:1: error: <caFile> needs the path of a PEM file of certificate authorities")
    }
}
