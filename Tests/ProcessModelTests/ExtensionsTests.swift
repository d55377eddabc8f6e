import Testing
@testable import ProcessModel

@Suite struct ExtensionsTests {
    let environment = ["BQ_PROJECT": "demo-project", "REGION": "eu"]
    let secrets = ["P12_PASSWORD": "p12-pass", "PROD_P12": "prod-pass"]

    func load(_ extensions: String) throws(WorkspaceError) -> Workspace {
        try WorkspaceLoader(root: fixture("valid"), environment: environment,
                            secrets: DictionarySecrets(values: secrets),
                            extensionsFile: fixture("extensions/\(extensions)")).load()
    }

    func problems(_ extensions: String) -> [String] {
        do {
            _ = try load(extensions)
            return []
        } catch {
            return lines(error.diagnostics).map { $0.replacingAll(fixture("") + "/", with: "").replacingAll(fixture("extensions"), with: "extensions") }
        }
    }

    @Test func replacesWholeSettingsAndPropertyValues() throws {
        let workspace = try load("prod.xml")
        #expect(workspace.extensionsEnvironment == "prod")
        let connection = try #require(workspace.connections["bigquery-local"])
        #expect(connection.settings.text(of: "projectId") == "acme-prod")
        // Untouched settings stay.
        #expect(connection.settings.text(of: "rootUrl") == "http://127.0.0.1:9050")
        #expect(connection.settings.text(of: "location") == "US")
        // The whole element is replaced: attributes and children of the original are gone.
        let auth = try #require(connection.settings.child("auth"))
        #expect(auth.text(of: "issuer") == "loader@acme-prod.iam.gserviceaccount.com")
        #expect(auth.child("signatureKey")?.attributes == ["file": "keys/prod.p12", "password": "prod-pass"])
        #expect(auth.location.file.hasSuffix("extensions/prod.xml"))
        #expect(auth.location.line == 5)
        #expect(connection.settings.children(named: "auth").count == 1)

        let operation = try #require(workspace.operations["read-orders"])
        #expect(operation.settings.child("split")?.attributes["by"] == "json-array")
        #expect(operation.settings.text(of: "filePattern") == "*.json")

        let process = try #require(workspace.processes["orders-to-bigquery"])
        #expect(process.properties.first { $0.name == "dataset" }?.value == "sales_eu")
        #expect(process.properties.first { $0.name == "lastRun" }?.value == "")
        #expect(workspace.secretValues.contains("prod-pass"))
    }

    @Test func withoutExtensionsNothingChanges() throws {
        let workspace = try WorkspaceLoader(root: fixture("valid"), environment: environment,
                                            secrets: DictionarySecrets(values: secrets)).load()
        #expect(workspace.connections["bigquery-local"]?.settings.text(of: "projectId") == "demo-project")
        #expect(workspace.extensionsEnvironment == nil)
    }

    @Test func everyOverrideOfSomethingElseIsAnErrorAtTheExtensionsFile() {
        #expect(problems("bad.xml") == [
            "extensions/bad.xml:3:3: error: no connection with id 'ghost' in the workspace; an extension may only override existing components",
            "extensions/bad.xml:4:32: error: connection 'order-inbox' has no <directoy> setting to override; an extension may only replace settings the component defines",
            "extensions/bad.xml:5:31: error: operation 'read-orders' has no <fileName> setting to override; an extension may only replace settings the component defines",
            "extensions/bad.xml:6:35: error: unknown attribute 'mode' on <rootUrl>",
            "extensions/bad.xml:7:3: error: process 'orders-to-bigquery' declares no property 'nope' (declared: dataset, lastRun); an extension may only override declared properties",
            "extensions/bad.xml:8:3: error: no process with id 'nobody' in the workspace",
        ])
    }

    @Test func theExtensionsFileItselfIsValidated() {
        let found = problems("not-extensions.xml")
        #expect(found.contains { $0.hasPrefix("extensions/not-extensions.xml:2:1: error:") && $0.contains("environment") })
        #expect(found.contains { $0.hasPrefix("extensions/not-extensions.xml:3:3: error:") && $0.contains("process") })
    }

    @Test func aMissingFileIsReported() {
        #expect(problems("absent.xml") == ["extensions/absent.xml:1:1: error: cannot read the extensions file"])
    }

    @Test func aMissingSecretInsideAnExtensionIsReportedThere() {
        let loader = WorkspaceLoader(root: fixture("valid"), environment: environment,
                                     secrets: DictionarySecrets(values: ["P12_PASSWORD": "p12-pass"]),
                                     extensionsFile: fixture("extensions/prod.xml"))
        do {
            _ = try loader.load()
            Issue.record("loaded without the secret")
        } catch {
            let found = lines(error.diagnostics)
            #expect(found.contains { $0.contains("extensions/prod.xml:7:7:") && $0.contains("secret 'PROD_P12' is not set") }, "\(found)")
        }
    }
}
