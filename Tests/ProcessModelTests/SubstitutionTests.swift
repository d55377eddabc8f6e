import Foundation
import Testing
@testable import ProcessModel

@Suite struct SubstitutionTests {
    let root = fixture("substitution")
    let secretValue = "s3cr3t-Value-9f1"

    @Test func unsetEnvironmentVariableIsReportedAtItsElement() {
        let found = diagnostics(of: root, secrets: ["CLIENT_SECRET": secretValue, "CONNECTION": "c"])
            .filter { $0.location.file == "connectors/c.xml" }
        #expect(lines(found) == [
            "connectors/c.xml:2:3: error: environment variable 'PROJECT' is not set (used by ${env:PROJECT})",
        ])
    }

    @Test func unsetSecretIsReportedAtItsElement() {
        let found = diagnostics(of: root, environment: ["PROJECT": "demo"], secrets: ["CONNECTION": "c"])
            .filter { $0.location.file == "connectors/c.xml" }
        #expect(lines(found) == [
            "connectors/c.xml:5:5: error: secret 'CLIENT_SECRET' is not set (used by ${secret:CLIENT_SECRET})",
        ])
    }

    @Test func secretIsSubstitutedButNeverInDiagnostics() throws {
        // The secret names a connection that does not exist, so a message would quote it.
        let found = diagnostics(of: root, secrets: ["CLIENT_SECRET": secretValue, "CONNECTION": secretValue])
        #expect(found.contains { $0.message == "shape 'end' refers to missing connection '***'" })
        #expect(found.contains { $0.message.contains("'PROJECT' is not set") })
        #expect(!found.contains { $0.description.contains(secretValue) })

        let loader = WorkspaceLoader(root: root, environment: ["PROJECT": "demo"],
                                     secrets: DictionarySecrets(values: ["CLIENT_SECRET": secretValue, "CONNECTION": "c"]))
        do {
            _ = try loader.load()
            Issue.record("the workspace has a missing operation and must not load")
        } catch {
            #expect(lines(error.diagnostics) == ["processes/uses-secret.xml:4:5: error: shape 'end' refers to missing operation 'op'"])
        }
    }

    @Test func substitutedValuesReachTheSettingsTree() throws {
        let workspace = try WorkspaceLoader(
            root: root, environment: ["PROJECT": "demo"],
            secrets: DictionarySecrets(values: ["CLIENT_SECRET": secretValue])
        ).load(only: "connectors")
        let connection = try #require(workspace.connections["c"])
        #expect(connection.settings.text(of: "projectId") == "demo")
        #expect(connection.settings.child("auth")?.text(of: "clientSecret") == secretValue)
        // `$${` keeps a literal `${`; run-time `{name}` is untouched.
        #expect(connection.settings.text(of: "rootUrl") == "http://localhost:9050/${kept}/{name}")
    }

    @Test func substitutionLeavesOtherFormsAlone() {
        var substitution = Substitution(environment: ["A": "1"], secrets: DictionarySecrets())
        var found: [Diagnostic] = []
        let location = SourceLocation(file: "f.xml", line: 1)
        #expect(substitution.substitute("x${env:A}y{{z}}{p}${other:B}${env:A", at: location, diagnostics: &found)
                == "x1y{{z}}{p}${other:B}${env:A")
        #expect(found.isEmpty)
        #expect(substitution.substitute("${secret:../etc/passwd}", at: location, diagnostics: &found)
                == "${secret:../etc/passwd}")
        #expect(found.first?.message.hasPrefix("'../etc/passwd' is not a valid secret name") == true)
    }

    @Test func environmentSecretStoreLooksUpEnvironmentThenDirectory() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try write("  from-file\n", to: "FILE_ONLY", in: directory)
        try write("file-value", to: "BOTH", in: directory)
        let store = EnvironmentSecretStore(environment: ["CONVEYOR_SECRET_BOTH": "env-value", "BOTH": "wrong"],
                                           directory: directory.path)
        #expect(store.secret(named: "BOTH") == "env-value")
        #expect(store.secret(named: "FILE_ONLY") == "from-file")
        #expect(store.secret(named: "MISSING") == nil)
        #expect(store.secret(named: "../FILE_ONLY") == nil)
        #expect(EnvironmentSecretStore(environment: [:], directory: nil).secret(named: "FILE_ONLY") == nil)
    }

    @Test func environmentSecretStoreNeverOpensAFIFO() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("PIPE").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Reading a FIFO without a writer would block: returning at all proves it was not read.
        #expect(EnvironmentSecretStore(environment: [:], directory: directory.path).secret(named: "PIPE") == nil)
    }
}

extension WorkspaceLoader {
    /// Loads a copy of the workspace holding only one component folder.
    func load(only folder: String) throws -> Workspace {
        let copy = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(atPath: root + "/" + folder, toPath: copy.appendingPathComponent(folder).path)
        return try WorkspaceLoader(root: copy.path, environment: environment, secrets: secrets).load()
    }
}
