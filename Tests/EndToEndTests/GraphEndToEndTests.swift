import Foundation
import Testing

/// `conveyor graph PROCESS [--format svg|dot|mermaid] [--output FILE]` through the built binary.
@Suite("conveyor graph")
struct GraphEndToEndTests {
    static func workspace(_ label: String) throws -> String {
        try Harness.workspace(label, files: Harness.jsonLinesInbox.merging([
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": """
                <operation id="write" type="disk" action="send"><fileName>out.jsonl</fileName></operation>
                """,
            "processes/flow.xml": """
                <process id="flow" name="Flow &amp; more">
                  <shapes>
                    <start id="start" next="guard"><connector connection="inbox" operation="read"/></start>
                    <tryCatch id="guard" next="check" onError="failed"/>
                    <decision id="check" onTrue="a&amp;b" onFalse="done">
                      <left><value source="document" property="token"/></left>
                      <compare op="eq"/>
                      <right><value source="static" value="${secret:TOKEN}"/></right>
                    </decision>
                    <connector id="a&amp;b" connection="outbox" operation="write" next="done"/>
                    <notify id="failed" level="error" message="failed" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ]) { $1 })
    }

    static let secret = ["CONVEYOR_SECRET_TOKEN": "s3cret-token-value"]

    @Test("svg (the default), dot and mermaid: every shape and exit drawn, secrets hidden, the same twice")
    func threeFormats() throws {
        let root = try Self.workspace("graph")
        let svg = try Harness.conveyor(["graph", "flow", "--workspace", root], environment: Self.secret)
        #expect(svg.status == 0, "\(svg.stderr)")
        #expect(svg.stdout.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg" class="conveyor-diagram""#))
        #expect(svg.stdout.hasSuffix("</svg>\n"))
        for id in ["start", "guard", "check", "a&amp;b", "failed", "done"] {
            #expect(svg.stdout.components(separatedBy: "data-shape=\"\(id)\"").count == 2, "shape \(id)")
        }
        for label in [">true<", ">false<", ">try<", ">onError<", "inbox / read", "outbox / write", "Flow &amp; more (flow)"] {
            #expect(svg.stdout.contains(label), "no \(label)")
        }
        #expect(svg.stdout.contains("document:token = &#39;***&#39;"))
        #expect(!svg.stdout.contains("s3cret"))
        #expect(!svg.stdout.contains("<script"))
        let again = try Harness.conveyor(["graph", "flow", "--workspace", root, "--format", "svg"], environment: Self.secret)
        #expect(again.stdout == svg.stdout)

        let dot = try Harness.conveyor(["graph", "flow", "--format", "dot", "--workspace", root], environment: Self.secret)
        #expect(dot.status == 0, "\(dot.stderr)")
        #expect(dot.stdout.hasPrefix("digraph \"flow\" {\n  graph [rankdir=LR"))
        #expect(dot.stdout.contains(#"  "check" -> "a&b" [label="true"];"#))
        #expect(dot.stdout.contains(#"  "guard" -> "failed" [label="onError""#))
        #expect(!dot.stdout.contains("s3cret"))

        let mermaid = try Harness.conveyor(["graph", "flow", "--format", "mermaid", "--workspace", root], environment: Self.secret)
        #expect(mermaid.status == 0, "\(mermaid.stderr)")
        #expect(mermaid.stdout.hasPrefix("flowchart LR\n"))
        #expect(mermaid.stdout.contains(#"  s_check -->|"true"| s_a_b"#))
        #expect(mermaid.stdout.contains(#"s_a_b["a#amp;b<br/>connector<br/>outbox / write"]"#))
        #expect(!mermaid.stdout.contains("s3cret"))
    }

    @Test("--output writes the file (nothing on stdout); the process may be named by its file")
    func outputFile() throws {
        let root = try Self.workspace("graph-out")
        let stdout = try Harness.conveyor(["graph", "flow", "--workspace", root, "--format", "dot"], environment: Self.secret)
        let written = try Harness.conveyor(["graph", "processes/flow.xml", "--format", "dot", "--output", "flow.dot"],
                                           in: root, environment: Self.secret)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.isEmpty)
        #expect(written.stderr.contains("wrote the dot diagram of process 'flow' to flow.dot"))
        #expect(try String(contentsOfFile: root + "/flow.dot", encoding: .utf8) == stdout.stdout)
    }

    @Test("the example processes are drawn as their golden files and the sample in docs/images")
    func examplesAsGoldenFiles() throws {
        let examples = Harness.packageRoot + "/examples"
        let fixtures = Harness.packageRoot + "/Tests/ProcessDiagramTests/Fixtures/examples/"
        for (format, ext) in [("svg", "svg"), ("dot", "dot"), ("mermaid", "mmd")] {
            let output = try Harness.conveyor(["graph", "read-totals", "--format", format, "--workspace", examples])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout == (try String(contentsOfFile: fixtures + "read-totals.\(ext)", encoding: .utf8)), "\(format)")
        }
        let sample = try String(contentsOfFile: Harness.packageRoot + "/docs/images/read-totals.svg", encoding: .utf8)
        #expect(sample == (try String(contentsOfFile: fixtures + "read-totals.svg", encoding: .utf8)),
                "docs/images/read-totals.svg is not what `conveyor graph read-totals` draws")
    }

    @Test("errors: an unknown process (with a suggestion), an unknown format, an invalid or missing workspace, the store as output")
    func errors() throws {
        let root = try Self.workspace("graph-errors")
        let unknown = try Harness.conveyor(["graph", "flwo", "--workspace", root], environment: Self.secret)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no process 'flwo' in workspace"), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("(processes: flow); did you mean 'flow'?"), "\(unknown.stderr)")
        #expect(unknown.stdout.isEmpty)

        let format = try Harness.conveyor(["graph", "flow", "--format", "png", "--workspace", root], environment: Self.secret)
        #expect(format.status == 2)
        #expect(format.stderr.contains("png"), "\(format.stderr)")

        let missing = try Harness.conveyor(["graph", "flow", "--workspace", root + "/nowhere"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no workspace at"), "\(missing.stderr)")

        try "<process id=\"broken\"><shapes><start id=\"start\" next=\"nowhere\"><input/></start></shapes></process>"
            .write(toFile: root + "/processes/broken.xml", atomically: true, encoding: .utf8)
        let invalid = try Harness.conveyor(["graph", "flow", "--workspace", root], environment: Self.secret)
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("processes/broken.xml:1:"), "\(invalid.stderr)")
        try FileManager.default.removeItem(atPath: root + "/processes/broken.xml")

        try FileManager.default.createDirectory(atPath: root + "/.conveyor", withIntermediateDirectories: true)
        let store = try Harness.conveyor(["graph", "flow", "--workspace", root, "--output", root + "/.conveyor/executions.sqlite"],
                                         environment: Self.secret)
        #expect(store.status == 2)
        #expect(store.stderr.contains("is the execution store"), "\(store.stderr)")

        let help = try Harness.conveyor(["graph", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--format"))
    }
}
