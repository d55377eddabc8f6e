import Foundation
import Testing

/// Child executions started by processCall shapes, and document runs read back through the CLI
/// (disk-only workspace, no emulator needed).
@Suite struct ParentExecutionTests {
    static func callingWorkspace() throws -> String {
        let workspace = try Harness.temporaryDirectory("parent")
        for folder in ["processes", "connectors", "data"] {
            try FileManager.default.createDirectory(atPath: workspace + "/" + folder, withIntermediateDirectories: true)
        }
        let files: [String: String] = [
            "processes/parent.xml": """
                <process id="parent" name="Parent">
                  <shapes>
                    <start id="start" next="write"><connector connection="box" operation="read-in"/></start>
                    <connector id="write" connection="box" operation="write-parent" next="call"/>
                    <processCall id="call" process="child" wait="true" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "processes/child.xml": """
                <process id="child" name="Child">
                  <shapes>
                    <start id="start" next="write"><input/></start>
                    <connector id="write" connection="box" operation="write-child" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "connectors/box.xml": #"<connection id="box" type="disk"><directory>data</directory></connection>"#,
            "connectors/read-in.xml": """
                <operation id="read-in" type="disk" action="get">
                  <filePattern>in.jsonl</filePattern><split by="json-lines"/>
                </operation>
                """,
            "connectors/write-parent.xml": """
                <operation id="write-parent" type="disk" action="send">
                  <fileName>parent.jsonl</fileName><append>true</append>
                </operation>
                """,
            "connectors/write-child.xml": """
                <operation id="write-child" type="disk" action="send">
                  <fileName>child.jsonl</fileName><append>true</append>
                </operation>
                """,
            "data/in.jsonl": "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n",
        ]
        for (path, text) in files {
            try text.write(toFile: workspace + "/" + path, atomically: true, encoding: .utf8)
        }
        return workspace
    }

    @Test("a child execution names its parent, and the parent lists it, in text and JSON")
    func parentAndChild() throws {
        let workspace = try Self.callingWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = try Harness.conveyor(["run", "parent", "--workspace", workspace])
        #expect(run.status == 0, "\(run.stderr)")
        #expect((try? String(contentsOfFile: workspace + "/data/child.jsonl", encoding: .utf8))?.count ?? 0 > 0)

        let list = try Harness.conveyor(["executions", "list", "--json", "--workspace", workspace])
        let executions = try #require(try Harness.json(list.stdout) as? [[String: Any]])
        let parent = try #require(executions.first { $0["processId"] as? String == "parent" })
        let child = try #require(executions.first { $0["processId"] as? String == "child" })
        let parentID = try #require(parent["id"] as? String)
        let childID = try #require(child["id"] as? String)
        #expect(parent["parentExecutionId"] == nil)
        #expect(child["parentExecutionId"] as? String == parentID)
        #expect(child["trigger"] as? String == "subprocess")

        let shownParent = try Harness.conveyor(["executions", "show", parentID, "--json", "--workspace", workspace])
        let parentObject = try #require(try Harness.json(shownParent.stdout) as? [String: Any])
        let children = try #require(parentObject["childExecutions"] as? [[String: Any]])
        #expect(children.map { $0["id"] as? String } == [childID])
        #expect(children.first?["status"] as? String == "COMPLETE")
        // The three successful documents are stored as one run and shown one by one.
        let documents = try #require(parentObject["documents"] as? [[String: Any]])
        #expect(documents.map { $0["index"] as? Int } == [0, 1, 2])
        #expect(documents.allSatisfy { $0["shapeId"] as? String == "write" && $0["status"] as? String == "success" })

        let shownChild = try Harness.conveyor(["executions", "show", childID, "--json", "--workspace", workspace])
        let childObject = try #require(try Harness.json(shownChild.stdout) as? [String: Any])
        #expect(childObject["parentExecutionId"] as? String == parentID)
        #expect((childObject["childExecutions"] as? [Any])?.isEmpty == true)
        #expect((childObject["documents"] as? [[String: Any]])?.count == 3)

        let parentText = try Harness.conveyor(["executions", "show", parentID, "--workspace", workspace]).stdout
        #expect(parentText.contains("child executions:"))
        #expect(parentText.contains("\(childID)  COMPLETE  child"))
        #expect(parentText.contains("#2 write input success"))
        let childText = try Harness.conveyor(["executions", "show", childID, "--workspace", workspace]).stdout
        #expect(childText.contains("  parent     \(parentID)"))
    }
}
