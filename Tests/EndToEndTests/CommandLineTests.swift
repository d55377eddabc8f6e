import Foundation
import Testing

/// The CLI's contract: help on every command, exit codes, errors as file:line:col.
@Suite("conveyor command line")
struct CommandLineTests {
    @Test("--help works on every command", arguments: [
        [], ["validate"], ["run"], ["executions"], ["executions", "list"], ["executions", "show"],
        ["tracked"], ["tracked", "search"],
    ])
    func helpOnEveryCommand(_ command: [String]) throws {
        let output = try Harness.conveyor(command + ["--help"])
        #expect(output.status == 0, "\(command): \(output.stderr)")
        #expect(output.stdout.contains("USAGE"), "\(command): \(output.stdout)")
    }

    /// `run` is parsed with its own command as the root first (start-up); everything but a run to
    /// start must still read as the root command's.
    @Test("a run's help, version, completion script and usage errors are the root command's")
    func runParsedAsUnderTheRoot() throws {
        let help = try Harness.conveyor(["run", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: conveyor run <process>"), "\(help.stdout)")
        #expect(help.stdout.contains("--version"), "the root's help lists its --version: \(help.stdout)")
        let version = try Harness.conveyor(["run", "--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).first?.isNumber == true, "\(version.stdout)")
        let completion = try Harness.conveyor(["run", "--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.stdout.hasPrefix("#!/bin/bash"), "\(completion.stdout.prefix(200))")
        for arguments in [["run"], ["run", "--bogus"], ["run", "p", "--workspace"], ["run", "p", "extra"]] {
            let usage = try Harness.conveyor(arguments)
            #expect(usage.status == 2, "\(arguments): \(usage.stderr)")
            #expect(usage.stderr.contains("See 'conveyor run --help' for more information."), "\(arguments): \(usage.stderr)")
        }
        let missing = try Harness.conveyor(["run", "p", "--workspace", "/nonexistent/workspace"])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("See 'conveyor --help' for more information."), "\(missing.stderr)")
    }

    @Test("a process name or argument holding a terminal escape or a line break is shown escaped")
    func hostileArgumentsEscaped() throws {
        let workspace = try Harness.sampleWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        for command in [["run"], ["graph"], ["properties", "list"]] {
            let output = try Harness.conveyor(command + ["\u{1B}[2Jbench\nforged\u{9B}", "--workspace", workspace])
            #expect(output.status == 2, "\(command): \(output.stderr)")
            #expect(output.stderr.contains(#"no process '\u{1b}[2Jbench\u{a}forged\u{9b}'"#), "\(command): \(output.stderr)")
            #expect(!output.stderr.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" }, "\(command): \(output.stderr)")
        }
        let unknown = try Harness.conveyor(["run", "x", "--\u{1B}]0;title\u{7}"])
        #expect(unknown.status == 2, "\(unknown.stderr)")
        #expect(unknown.stderr.contains(#"\u{1b}]0;title\u{7}"#), "\(unknown.stderr)")
        #expect(!unknown.stderr.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" }, "\(unknown.stderr)")
    }

    @Test("executions list keeps its columns apart with six-figure counts")
    func executionsListColumns() throws {
        let root = try Harness.workspace("list", files: Harness.jsonLinesInbox.merging([
            "processes/many.xml": """
                <process id="many" name="Many">
                  <shapes>
                    <start id="start" next="done"><connector connection="inbox" operation="read"/></start>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ]) { $1 })
        try String(repeating: "{}\n", count: 123_456).write(toFile: root + "/in/rows.jsonl", atomically: true, encoding: .utf8)
        let run = try Harness.conveyor(["run", "many", "--workspace", root])
        #expect(run.status == 0, "\(run.stderr)")
        let list = try Harness.conveyor(["executions", "list", "--workspace", root])
        let lines = list.stdout.split(separator: "\n")
        try #require(lines.count == 2, "\(list.stdout)")
        #expect(lines[0].split(separator: " ") == ["ID", "STATUS", "STARTED", "IN", "OUT", "FAILED", "PROCESS"])
        let fields = lines[1].split(separator: " ")
        #expect(fields.count == 7, "\(lines[1])")
        #expect(Array(fields.dropFirst(3)) == ["123456", "123456", "0", "many"], "\(lines[1])")
        // The figures end under their headers.
        let header = String(lines[0]), row = String(lines[1])
        for (name, figure, options) in [("IN", "123456", String.CompareOptions()), ("FAILED", "0", .backwards)] {
            let headerEnd = try #require(header.range(of: " " + name + " ")).upperBound
            let figureEnd = try #require(row.range(of: " " + figure + " ", options: options)).upperBound
            #expect(header.distance(from: header.startIndex, to: headerEnd) == row.distance(from: row.startIndex, to: figureEnd))
        }
    }

    @Test("the sample workspace validates")
    func sampleWorkspaceValidates() throws {
        let output = try Harness.conveyor(["validate", "--workspace", Harness.packageRoot])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("is valid"))
    }

    @Test("an invalid workspace exits 2 with every error as file:line:col")
    func invalidWorkspaceExitsTwo() throws {
        let workspace = try Harness.sampleWorkspace()
        let process = """
            <?xml version="1.0"?>
            <process id="broken" name="Broken">
              <shapes>
                <start id="start" next="nowhere">
                  <noData/>
                </start>
                <map id="orphan" map="no-such-map" next="done"/>
                <stop id="done"/>
              </shapes>
            </process>
            """
        try process.write(toFile: workspace + "/processes/broken.xml", atomically: true, encoding: .utf8)
        for command in [["validate"], ["run", "broken"]] {
            let output = try Harness.conveyor(command + ["--workspace", workspace])
            #expect(output.status == 2, "\(command): \(output.stderr)")
            #expect(output.stderr.contains("processes/broken.xml:4:"), "\(command): \(output.stderr)")
            #expect(output.stderr.contains("nowhere"))
            #expect(output.stderr.contains("processes/broken.xml:7:"), "\(command): \(output.stderr)")
            #expect(output.stderr.contains("no-such-map"))
        }
    }

    @Test("a misspelt BigQuery setting is reported with its line")
    func connectorSettingsAreChecked() throws {
        let workspace = try Harness.sampleWorkspace()
        let path = workspace + "/connectors/insert-orders.xml"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: "<batchCount>500</batchCount>", with: "<batchCount>20000</batchCount>")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let output = try Harness.conveyor(["validate", "--workspace", workspace])
        #expect(output.status == 2)
        #expect(output.stderr.contains("connectors/insert-orders.xml:"), "\(output.stderr)")
        #expect(output.stderr.contains("batchCount"))
    }

    @Test("usage errors exit 2 and name the problem")
    func usageErrorsExitTwo() throws {
        let unknown = try Harness.conveyor(["run", "no-such-process", "--workspace", Harness.packageRoot])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no-such-process"))
        #expect(unknown.stderr.contains("orders-to-bigquery"), "lists the known processes: \(unknown.stderr)")
        let badProperty = try Harness.conveyor(["run", "orders-to-bigquery", "--property", "novalue",
                                                "--workspace", Harness.packageRoot])
        #expect(badProperty.status == 2)
        #expect(badProperty.stderr.contains("name=value"))
        let badOption = try Harness.conveyor(["executions", "list", "--no-such-option"])
        #expect(badOption.status == 2)
    }

    @Test("a process given by file path runs its input documents through disk send")
    func processByPathWithInputs() throws {
        let workspace = try Harness.temporaryDirectory("copy")
        for folder in ["processes", "connectors", "profiles"] {
            try FileManager.default.createDirectory(atPath: workspace + "/" + folder, withIntermediateDirectories: true)
        }
        try """
            <process id="copy" name="Copy input">
              <shapes>
                <start id="start" next="tag"><input/></start>
                <setProperties id="tag" next="write">
                  <property scope="document" name="name"><value source="static" value="out-"/><value source="document" property="input.fileName"/></property>
                </setProperties>
                <connector id="write" connection="outbox" operation="write-file" next="done"/>
                <stop id="done"/>
              </shapes>
            </process>
            """.write(toFile: workspace + "/processes/copy.xml", atomically: true, encoding: .utf8)
        try """
            <connection id="outbox" type="disk"><directory>out</directory></connection>
            """.write(toFile: workspace + "/connectors/outbox.xml", atomically: true, encoding: .utf8)
        try """
            <operation id="write-file" type="disk" action="send"><fileName>{name}</fileName></operation>
            """.write(toFile: workspace + "/connectors/write-file.xml", atomically: true, encoding: .utf8)
        try #"{"hello": "world"}"#.write(toFile: workspace + "/a.json", atomically: true, encoding: .utf8)
        try "second".write(toFile: workspace + "/b.txt", atomically: true, encoding: .utf8)

        let output = try Harness.conveyor(["run", "processes/copy.xml", "--input", "a.json", "b.txt"], in: workspace)
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout)")
        #expect(output.stdout.contains("COMPLETE"))
        #expect(try String(contentsOfFile: workspace + "/out/out-a.json", encoding: .utf8) == #"{"hello": "world"}"#)
        #expect(try String(contentsOfFile: workspace + "/out/out-b.txt", encoding: .utf8) == "second")
        let list = try Harness.conveyor(["executions", "list", "--json"], in: workspace)
        let executions = try #require(try Harness.json(list.stdout) as? [[String: Any]])
        #expect(executions.count == 1)
        #expect(executions.first?["documentsOut"] as? Int == 2)
    }
}
