import Foundation
import ProcessEngine
import ProcessModel
import Testing
@testable import DiskConnector

/// `<directory>` and `<filePattern>` take `{process:…}` and `{execution:…}` placeholders.
@Suite struct DiskTemplateTests {
    static let here = SourceLocation(file: "connectors/disk.xml", line: 1)

    func settings(_ name: String, _ children: [String: String]) -> SettingsElement {
        var element = SettingsElement(name: name, location: Self.here)
        for (child, text) in children.sorted(by: { $0.key < $1.key }) {
            var setting = SettingsElement(name: child, location: Self.here)
            setting.text = text
            element.children.append(setting)
        }
        return element
    }

    func operation(directory: String, action: String, _ settings: [String: String]) async throws
        -> (any ConnectorOperation, [Diagnostic], TemporaryFolder) {
        let folder = try TemporaryFolder()
        let connection = ConnectionDefinition(id: "disk", type: "disk", settings: self.settings("connection", ["directory": directory]),
                                              location: Self.here)
        let operation = OperationDefinition(id: "op", type: "disk", action: action,
                                            settings: self.settings("operation", settings), location: Self.here)
        let problems = DiskConnector().validate(connection: connection, operation: operation)
        let made = try await DiskConnector().makeOperation(connection: connection, operation: operation,
                                                           environment: ConnectorEnvironment(workspaceRoot: folder.path, variables: [:]))
        return (made, problems, folder)
    }

    func context(_ properties: [String: String]) -> OperationContext {
        var context = testContext
        context.processProperties = properties
        return context
    }

    @Test func sendAndGetFillProcessPropertiesInDirectoryAndPattern() async throws {
        let (send, problems, folder) = try await operation(directory: "out/{process:region}", action: "send",
                                                           ["fileName": "orders.jsonl", "append": "true"])
        #expect(problems.isEmpty, "\(problems)")
        let written = try await send.execute([Document(data: Array("{\"a\":1}".utf8), properties: [:])],
                                             context: context(["region": "eu"]))
        await send.close()
        #expect(written.outputs.count == 1)
        #expect(folder.read("out/eu/orders.jsonl") == "{\"a\":1}\n")

        let get = try await DiskConnector().makeOperation(
            connection: ConnectionDefinition(id: "disk", type: "disk", settings: settings("connection", ["directory": "out/{process:region}"]),
                                             location: Self.here),
            operation: OperationDefinition(id: "op", type: "disk", action: "get",
                                           settings: settings("operation", ["filePattern": "{process:kind}.jsonl",
                                                                            "split": ""]), location: Self.here),
            environment: ConnectorEnvironment(workspaceRoot: folder.path, variables: [:]))
        var texts: [String] = []
        try await get.read(context: context(["region": "eu", "kind": "orders"])) { texts += $0.map(\.text) }
        #expect(texts == ["{\"a\":1}\n"])
    }

    @Test func aMissingPropertyOrADocumentPlaceholderIsAnError() async throws {
        let (send, _, _) = try await operation(directory: "out/{process:region}", action: "send", ["fileName": "x.json"])
        let outcome = try await send.execute([Document(data: [1], properties: [:])], context: context([:]))
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.first?.message.contains("region") == true, "\(outcome.failures)")
        let (_, problems, _) = try await operation(directory: "out/{customer}", action: "send", ["fileName": "x.json"])
        #expect(problems.first?.message.contains("only {process:…} and {execution:…}") == true, "\(problems)")
    }
}
