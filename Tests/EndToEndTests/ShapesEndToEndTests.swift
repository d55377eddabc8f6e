import Foundation
import Testing

/// Decision, route, tryCatch and notify shapes through the built binary and the disk connector.
@Suite("process shapes end to end")
struct ShapesEndToEndTests {
    static let process = """
        <process id="triage" name="Triage orders">
          <shapes>
            <start id="start" next="kind"><input/></start>
            <setProperties id="kind" next="guard">
              <property scope="document" name="kind"><value source="profile" path="/kind"/></property>
              <property scope="document" name="name"><value source="document" property="input.fileName"/></property>
            </setProperties>
            <tryCatch id="guard" next="big" onError="explain" retries="1"/>
            <decision id="big" onTrue="by-kind" onFalse="small">
              <left><value source="profile" path="/amount"/></left>
              <compare op="ge" type="number"/>
              <right><value source="static" value="100"/></right>
            </decision>
            <route id="by-kind" on="document:kind">
              <when value="order" next="write-big"/>
              <when value="refund" next="warn"/>
              <default next="unknown"/>
            </route>
            <notify id="warn" level="warning" message="large refund in {name}" next="write-big"/>
            <exception id="unknown" message="unknown kind {kind}"/>
            <setProperties id="small" next="write-small">
              <property scope="document" name="name"><value source="static" value="small-"/><value source="document" property="name"/></property>
            </setProperties>
            <connector id="write-big" connection="outbox" operation="write-file" next="done"/>
            <connector id="write-small" connection="outbox" operation="write-file" next="done"/>
            <message id="explain" next="write-error">
              <text>{1} failed at {2}: {3}</text>
              <value source="document" property="name"/>
              <value source="document" property="error.shape"/>
              <value source="document" property="error.message"/>
            </message>
            <setProperties id="write-error" next="write-failed">
              <property scope="document" name="name"><value source="static" value="failed-"/><value source="document" property="input.fileName"/></property>
            </setProperties>
            <connector id="write-failed" connection="outbox" operation="write-file" next="done"/>
            <stop id="done"/>
          </shapes>
        </process>
        """

    @Test("documents are sorted by decision and route; failures are caught and explained")
    func triage() throws {
        let workspace = try Harness.temporaryDirectory("shapes")
        for folder in ["processes", "connectors", "profiles"] {
            try FileManager.default.createDirectory(atPath: workspace + "/" + folder, withIntermediateDirectories: true)
        }
        try Self.process.write(toFile: workspace + "/processes/triage.xml", atomically: true, encoding: .utf8)
        try #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#
            .write(toFile: workspace + "/connectors/outbox.xml", atomically: true, encoding: .utf8)
        try #"<operation id="write-file" type="disk" action="send"><fileName>{name}</fileName></operation>"#
            .write(toFile: workspace + "/connectors/write-file.xml", atomically: true, encoding: .utf8)
        let inputs = [
            "a.json": #"{"kind": "order", "amount": 150}"#,
            "b.json": #"{"kind": "refund", "amount": 200}"#,
            "c.json": #"{"kind": "order", "amount": 5}"#,
            "d.json": #"{"kind": "gift", "amount": 500}"#,
            "e.json": #"{"kind": "order", "amount": "lots"}"#,
        ]
        for (name, text) in inputs {
            try text.write(toFile: workspace + "/" + name, atomically: true, encoding: .utf8)
        }

        let validate = try Harness.conveyor(["validate", "--workspace", workspace])
        #expect(validate.status == 0, "\(validate.stderr)")
        let output = try Harness.conveyor(["run", "triage", "--input"] + inputs.keys.sorted(), in: workspace)
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout)")
        #expect(output.stdout.contains("COMPLETE_WARN"), "\(output.stdout)")
        #expect(output.stdout.contains("log: WARNING warn: large refund in b.json"), "\(output.stdout)")

        func file(_ name: String) -> String? { try? String(contentsOfFile: workspace + "/out/" + name, encoding: .utf8) }
        #expect(file("a.json") == inputs["a.json"])
        #expect(file("b.json") == inputs["b.json"])
        #expect(file("small-c.json") == inputs["c.json"])
        #expect(file("failed-d.json") == "d.json failed at unknown: unknown kind gift")
        #expect(file("failed-e.json")?.hasPrefix("e.json failed at big: left value 'lots' is not a number") == true,
                "\(file("failed-e.json") ?? "missing")")
        let names = try FileManager.default.contentsOfDirectory(atPath: workspace + "/out").sorted()
        #expect(names == ["a.json", "b.json", "failed-d.json", "failed-e.json", "small-c.json"])

        let list = try Harness.conveyor(["executions", "list", "--json"], in: workspace)
        let executions = try #require(try Harness.json(list.stdout) as? [[String: Any]])
        #expect(executions.first?["status"] as? String == "COMPLETE_WARN")
        #expect(executions.first?["documentsError"] as? Int == 0)
        #expect(executions.first?["documentsOut"] as? Int == 5)
    }
}
