import Foundation
import Testing
import TestSupport

/// Persisted properties, environment extensions, the progress line and secret redaction, on
/// small disk-only workspaces (no emulator needed).
@Suite struct RuntimeTests {
    /// A workspace whose process copies `data/in-*.jsonl` to `data/out-{since}-{label}.jsonl` and
    /// then remembers the last document's id in the persisted property `since`.
    static func trackingWorkspace(directory: String = "data") throws -> String {
        let workspace = try Harness.temporaryDirectory("runtime")
        for folder in ["processes", "connectors", "profiles", "data"] {
            try FileManager.default.createDirectory(atPath: workspace + "/" + folder, withIntermediateDirectories: true)
        }
        try """
            <process id="track" name="Track">
              <properties>
                <property name="since" value="none" persist="true"/>
                <property name="label" value="plain"/>
              </properties>
              <shapes>
                <start id="start" next="write"><connector connection="box" operation="read-in"/></start>
                <connector id="write" connection="box" operation="write-out" next="remember"/>
                <setProperties id="remember" next="done">
                  <property scope="process" name="since"><value source="profile" path="/id"/></property>
                </setProperties>
                <stop id="done"/>
              </shapes>
            </process>
            """.write(toFile: workspace + "/processes/track.xml", atomically: true, encoding: .utf8)
        try """
            <connection id="box" type="disk">
              <directory>\(directory)</directory>
            </connection>
            """.write(toFile: workspace + "/connectors/box.xml", atomically: true, encoding: .utf8)
        try """
            <operation id="read-in" type="disk" action="get">
              <filePattern>in-*.jsonl</filePattern><split by="json-lines"/><deleteAfterRead>true</deleteAfterRead>
            </operation>
            """.write(toFile: workspace + "/connectors/read-in.xml", atomically: true, encoding: .utf8)
        try """
            <operation id="write-out" type="disk" action="send">
              <fileName>out-{process:since}-{process:label}.jsonl</fileName><append>true</append>
            </operation>
            """.write(toFile: workspace + "/connectors/write-out.xml", atomically: true, encoding: .utf8)
        return workspace
    }

    static func input(_ text: String, _ name: String, in workspace: String, folder: String = "data") throws {
        try text.write(toFile: "\(workspace)/\(folder)/\(name)", atomically: true, encoding: .utf8)
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test("a persisted property carries the last value of a run that did not fail into the next run")
    func persistedPropertyAcrossRuns() throws {
        let workspace = try Self.trackingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = ["run", "track", "--workspace", workspace]

        try Self.input("{\"id\":\"a1\"}\n{\"id\":\"a2\"}\n", "in-1.jsonl", in: workspace)
        var output = try Harness.conveyor(run)
        #expect(output.status == 0, "\(output.stderr)\(output.stdout)")
        #expect(Self.exists(workspace + "/data/out-none-plain.jsonl"))

        try Self.input("{\"id\":\"b1\"}\n", "in-2.jsonl", in: workspace)
        output = try Harness.conveyor(run)
        #expect(output.status == 0, "\(output.stderr)\(output.stdout)")
        #expect(Self.exists(workspace + "/data/out-a2-plain.jsonl"))

        let list = try Harness.conveyor(["properties", "list", "track", "--workspace", workspace])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("since = b1"))

        // A run ending in ERROR keeps the earlier value.
        try Self.input("{\"id\":\"c1\"}\nnot json\n", "in-3.jsonl", in: workspace)
        output = try Harness.conveyor(run)
        #expect(output.status == 1)
        #expect(Self.exists(workspace + "/data/out-b1-plain.jsonl"))
        try Self.input("{\"id\":\"d1\"}\n", "in-4.jsonl", in: workspace)
        output = try Harness.conveyor(run)
        #expect(output.status == 0, "\(output.stderr)\(output.stdout)")
        #expect(try String(contentsOfFile: workspace + "/data/out-b1-plain.jsonl", encoding: .utf8)
            == "{\"id\":\"c1\"}\nnot json\n{\"id\":\"d1\"}\n")

        // --property overrides the stored value; reset returns to the default.
        try Self.input("{\"id\":\"e1\"}\n", "in-5.jsonl", in: workspace)
        output = try Harness.conveyor(run + ["--property", "since=forced"])
        #expect(Self.exists(workspace + "/data/out-forced-plain.jsonl"))
        let reset = try Harness.conveyor(["properties", "reset", "track", "since", "--workspace", workspace])
        #expect(reset.status == 0)
        #expect(reset.stdout.contains("reset 1 stored value"))
        let afterReset = try Harness.conveyor(["properties", "list", "track", "--workspace", workspace])
        #expect(afterReset.stdout.contains("since = none  (default"))
        try Self.input("{\"id\":\"f1\"}\n", "in-6.jsonl", in: workspace)
        output = try Harness.conveyor(run + ["--property", "label=x"])
        #expect(Self.exists(workspace + "/data/out-none-x.jsonl"))
    }

    @Test("--extensions replaces connection settings and property values; bad ones are errors at file:line:col")
    func extensionsOverrideSettings() throws {
        let workspace = try Self.trackingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try FileManager.default.createDirectory(atPath: workspace + "/prod", withIntermediateDirectories: true)
        try """
            <extensions environment="prod">
              <connection id="box"><directory>${env:BOX_FOLDER}</directory></connection>
              <property process="track" name="label" value="prod"/>
            </extensions>
            """.write(toFile: workspace + "/prod.xml", atomically: true, encoding: .utf8)
        try Self.input("{\"id\":\"p1\"}\n", "in-1.jsonl", in: workspace, folder: "prod")
        let environment = ["BOX_FOLDER": "prod"]
        let validate = try Harness.conveyor(["validate", "--workspace", workspace, "--extensions", workspace + "/prod.xml"],
                                            environment: environment)
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("environment 'prod'"))
        let output = try Harness.conveyor(["run", "track", "--workspace", workspace, "--extensions", "prod.xml"],
                                          in: workspace, environment: environment)
        #expect(output.status == 0, "\(output.stderr)\(output.stdout)")
        #expect(Self.exists(workspace + "/prod/out-none-prod.jsonl"))
        #expect(!Self.exists(workspace + "/data/out-none-prod.jsonl"))

        try """
            <extensions environment="prod">
              <connection id="box"><directory>x</directory></connection>
              <operation id="write-out"><fileNames>y</fileNames></operation>
              <connection id="nothing"><directory>z</directory></connection>
              <property process="track" name="ghost" value="1"/>
            </extensions>
            """.write(toFile: workspace + "/bad.xml", atomically: true, encoding: .utf8)
        let bad = try Harness.conveyor(["validate", "--workspace", workspace, "--extensions", "bad.xml"], in: workspace)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.xml:3:29: error: operation 'write-out' has no <fileNames> setting"), "\(bad.stderr)")
        #expect(bad.stderr.contains("bad.xml:4:3: error: no connection with id 'nothing'"))
        #expect(bad.stderr.contains("bad.xml:5:3: error: process 'track' declares no property 'ghost'"))
    }

    @Test("a progress line is drawn on a terminal and never when the output is piped")
    func progressOnlyOnATerminal() throws {
        let workspace = try Self.trackingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let lines = (0..<20_000).map { "{\"id\":\"n\($0)\"}" }.joined(separator: "\n")
        try Self.input(lines, "in-1.jsonl", in: workspace)
        let command = "'\(Harness.conveyor)' run track --workspace '\(workspace)'"
        let store = try TestStore.environment(forWorkspace: workspace)
        let onTerminal = try Harness.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: store)
        #expect(onTerminal.status == 0, "\(onTerminal.stdout)")
        #expect(onTerminal.stdout.contains("documents in ·"), "\(onTerminal.stdout)")
        #expect(onTerminal.stdout.contains("docs/s · shape "))
        #expect(onTerminal.stdout.contains("\r\u{1B}[K"))

        try Self.input(lines, "in-2.jsonl", in: workspace)
        let asJSON = try Harness.run("/usr/bin/script", ["-qec", command + " --json", "/dev/null"], environment: store)
        #expect(asJSON.status == 0)
        #expect(!asJSON.stdout.contains("documents in ·"))

        try Self.input(lines, "in-3.jsonl", in: workspace)
        let piped = try Harness.conveyor(["run", "track", "--workspace", workspace])
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("documents in"))
        #expect(!piped.stderr.contains("\u{1B}["))
    }

    @Test("a secret used in a connection setting never appears in the record or the --json output")
    func secretsAreRedacted() throws {
        let secret = "/tmp/conveyor-secret-\(UUID().uuidString)-missing"
        let workspace = try Self.trackingWorkspace(directory: "${secret:BOX_DIR}")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let environment = ["CONVEYOR_SECRET_BOX_DIR": secret]
        let output = try Harness.conveyor(["run", "track", "--workspace", workspace, "--json"], environment: environment)
        #expect(output.status == 1)
        #expect(output.stdout.contains("cannot list directory ***"), "\(output.stdout)")
        #expect(!output.stdout.contains(secret))
        #expect(!output.stderr.contains(secret))
        let summary = try Harness.conveyor(["run", "track", "--workspace", workspace], environment: environment)
        #expect(summary.status == 1)
        #expect(!summary.stdout.contains(secret) && !summary.stderr.contains(secret))
        let list = try Harness.conveyor(["executions", "list", "--json", "--workspace", workspace])
        #expect(!list.stdout.contains(secret))
        let executions = try #require(try Harness.json(list.stdout) as? [[String: Any]])
        let id = try #require(executions.first?["id"] as? String)
        let shown = try Harness.conveyor(["executions", "show", id, "--json", "--workspace", workspace])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("***"))
        #expect(!shown.stdout.contains(secret))
        let database = try WorkspaceStore.contents(workspace)
        #expect(!database.contains(secret))
    }
}
