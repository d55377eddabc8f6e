import ArgumentParser
@testable import ConveyorCommands
import Testing

/// `conveyor run` arguments read without the argument parser (``RunCommand/plainly(_:)``) must be
/// read as the parser reads them, or not at all.
@Suite struct RunArgumentsTests {
    /// The fields a run uses, as the parser or the plain reading set them.
    struct Fields: Equatable, CustomStringConvertible {
        var process: String
        var inputs: [String]
        var properties: [String]
        var json: Bool
        var workspace: String
        var auditKey: String?
        var store: String?
        var extensions: String?

        init(_ command: RunCommand) {
            process = command.process
            inputs = command.inputs
            properties = command.properties
            json = command.json
            workspace = command.options.workspace
            auditKey = command.options.auditKey
            store = command.options.store
            extensions = command.extensions.extensions
        }

        var description: String {
            "\(process) inputs \(inputs) properties \(properties) json \(json) workspace \(workspace) "
                + "audit-key \(auditKey ?? "-") store \(store ?? "-") extensions \(extensions ?? "-")"
        }
    }

    /// The argument parser's reading of `conveyor` `arguments`, nil when it finds no run to start.
    static func parsed(_ arguments: [String]) -> Fields? {
        guard arguments.first == "run",
              let command = try? RunCommand.parseAsRoot(Array(arguments.dropFirst())) as? RunCommand else { return nil }
        return Fields(command)
    }

    @Test("the plain forms a scheduler or a person writes are read without the parser, as the parser reads them")
    func plainForms() throws {
        let lists: [[String]] = [
            ["run", "orders"],
            ["run", "orders", "--workspace", "/srv/ws"],
            ["run", "--workspace", "ws", "orders"],
            ["run", "orders", "--workspace=ws", "--json"],
            ["run", "processes/orders.xml", "--input", "a.json", "b.json", "--property", "from=2026-01-01"],
            ["run", "--property", "a=b", "--property=c=d=e", "orders", "--store", "postgres://u@h:5432/db?sslmode=require"],
            ["run", "orders", "--audit-key", "${secret:AUDIT_KEY}", "--extensions", "prod.xml", "--input", "x"],
            ["run", "ördérs ✓", "--workspace", "a b/c", "--property", "name=välue with spaces"],
            ["run", "--json", "orders"],
        ]
        for arguments in lists {
            let plain = try #require(RunCommand.plainly(arguments), "not read plainly: \(arguments)")
            #expect(Fields(plain) == Self.parsed(arguments), "\(arguments)")
        }
    }

    @Test("help, versions, unknown or repeated options, missing or dash values, extra arguments: left to the parser")
    func otherFormsAreLeftToTheParser() {
        let lists: [[String]] = [
            ["run"], ["run", "--help"], ["run", "-h"], ["run", "orders", "--help"], ["run", "help"], ["run", "--version"],
            ["run", "orders", "--workspace"], ["run", "orders", "--workspace", "--json"], ["run", "orders", "--workspace="],
            ["run", "orders", "--workspace", "a", "--workspace", "b"], ["run", "orders", "--json", "--json"],
            ["run", "orders", "--json=true"], ["run", "orders", "--input"], ["run", "orders", "--input", "--json"],
            ["run", "orders", "--input=a"], ["run", "orders", "other"], ["run", "orders", "--"], ["run", "--", "orders"],
            ["run", "-x", "orders"], ["run", "orders", "--unknown", "v"], ["run", "orders", "--property", "-1"],
            ["run", ""], ["run", "-"], ["validate", "orders"], [], ["run", "orders", "--generate-completion-script", "bash"],
            ["run", "orders", "--experimental-dump-help"], ["run", "orders", "--help-hidden"],
        ]
        for arguments in lists {
            #expect(RunCommand.plainly(arguments) == nil, "read plainly: \(arguments)")
        }
    }

    @Test("thousands of argument lists from the options' pieces: read plainly only as the parser reads them")
    func randomListsAgreeWithTheParser() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["orders", "other", "p.xml", "--workspace", "--workspace=w", "ws", "--store", "--store=s", "s",
                      "--audit-key", "k", "--extensions", "e.xml", "--extensions=", "--property", "--property=a=1",
                      "a=2", "--input", "in.json", "--json", "--json=1", "-h", "--help", "--", "-", "-v", "x=-1",
                      "help", "--version", "--Workspace", "--inputs", "=", "--=x", ""]
        var plainlyRead = 0
        for _ in 0..<4_000 {
            let count = Int.random(in: 0...7, using: &generator)
            let arguments = ["run"] + (0..<count).map { _ in pieces.randomElement(using: &generator) ?? "" }
            guard let plain = RunCommand.plainly(arguments) else { continue }
            plainlyRead += 1
            #expect(Fields(plain) == Self.parsed(arguments), "\(arguments)")
        }
        // The generator makes plain lists often enough for the comparison to mean something.
        #expect(plainlyRead > 200)
    }
}
