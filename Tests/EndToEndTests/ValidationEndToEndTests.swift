import Foundation
import Testing

/// `conveyor validate` catches paths that are not in their profiles, misspelt ids, and
/// `conveyor --version`; setProperties from a missing path fails that document.
@Suite("validation through the binary")
struct ValidationEndToEndTests {
    static let profiles: [String: String] = [
        "profiles/customer.xml": """
            <profile id="customer" type="json">
              <element name="customer" type="object">
                <element name="name" type="character"/>
                <element name="email" type="character"/>
              </element>
              <element name="lines" type="array">
                <element name="sku" type="character"/>
              </element>
              <element name="extra" type="object"/>
            </profile>
            """,
        "profiles/row.xml": """
            <profile id="row" type="json">
              <element name="name" type="character"/>
              <element name="email" type="character"/>
              <element name="skus" type="array"><element name="sku" type="character"/></element>
            </profile>
            """,
    ]

    /// A workspace whose map, decision, route, setProperties and tracking read `paths`.
    static func workspace(_ label: String, mapFrom: String = "/customer/name", mapTo: String = "/name",
                          decision: String = "/name", property: String = "/email", tracked: String = "/name",
                          mapID: String = "to-row", next: String = "check") throws -> String {
        try Harness.workspace(label, files: profiles.merging(Harness.jsonLinesInbox) { $1 }.merging([
            "profiles/to-row.xml": """
                <map id="to-row" from="customer" to="row">
                  <mapping from="\(mapFrom)" to="\(mapTo)"/>
                  <mapping from="/customer/email" to="/email"/>
                  <mapping from="/lines/*/sku" to="/skus/*/sku"/>
                  <mapping from="/extra/anything/below" to="/email"/>
                </map>
                """,
            "processes/tracked-fields.xml": """
                <trackedFields><field name="who" type="character"/></trackedFields>
                """,
            "connectors/outbox.xml": #"<connection id="outbox" type="disk"><directory>out</directory></connection>"#,
            "connectors/write.xml": """
                <operation id="write" type="disk" action="send">
                  <fileName>{file}</fileName>
                  <tracking><field name="who"><value source="profile" path="\(tracked)"/></field></tracking>
                </operation>
                """,
            "processes/flow.xml": """
                <process id="flow" name="Flow">
                  <shapes>
                    <start id="start" next="convert"><connector connection="inbox" operation="read"/></start>
                    <map id="convert" map="\(mapID)" next="\(next)"/>
                    <decision id="check" onTrue="tag" onFalse="done">
                      <left><value source="profile" path="\(decision)"/></left>
                      <compare op="ne"/>
                      <right><value source="static" value=""/></right>
                    </decision>
                    <setProperties id="tag" next="write">
                      <property scope="document" name="file"><value source="profile" path="\(property)"/></property>
                    </setProperties>
                    <connector id="write" connection="outbox" operation="write" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ]) { $1 })
    }

    @Test("paths in maps, decisions, setProperties and tracking are checked against the profile")
    func pathsAreCheckedAgainstProfiles() throws {
        let good = try Self.workspace("paths-good")
        let valid = try Harness.conveyor(["validate", "--workspace", good])
        #expect(valid.status == 0, "\(valid.stderr)")

        let bad = try Self.workspace("paths-bad", mapFrom: "/customer/nmae", mapTo: "/nmae",
                                     decision: "/emial", property: "/customer/email", tracked: "/nam")
        let output = try Harness.conveyor(["validate", "--workspace", bad])
        #expect(output.status == 2, "\(output.stderr)")
        let lines = output.stderr.split(separator: "\n").map(String.init)
        let expected = [
            "profiles/to-row.xml:2:3: error: map 'to-row': 'from' path '/customer/nmae' is not in profile 'customer'; did you mean '/customer/name'?",
            "profiles/to-row.xml:2:3: error: map 'to-row': 'to' path '/nmae' is not in profile 'row'; did you mean '/name'?",
            "processes/flow.xml:6:7: error: shape 'check': decision path '/emial' is not in profile 'row'; did you mean '/email'?",
            "processes/flow.xml:11:7: error: shape 'tag': property 'file' path '/customer/email' is not in profile 'row'",
            "connectors/write.xml:3:13: error: shape 'write': tracked field 'who' (operation 'write') path '/nam' is not in profile 'row'; did you mean '/name'?",
        ]
        for line in expected {
            #expect(lines.contains { $0.hasSuffix(line) }, "missing \(line) in:\n\(output.stderr)")
        }
        #expect(output.stderr.contains("5 errors"), "\(output.stderr)")
    }

    @Test("misspelt component and shape ids get a did-you-mean")
    func unknownIDsSuggest() throws {
        let root = try Self.workspace("ids", mapID: "to-rwo", next: "chek")
        let output = try Harness.conveyor(["validate", "--workspace", root])
        #expect(output.status == 2)
        #expect(output.stderr.contains("refers to missing map 'to-rwo'; did you mean 'to-row'?"), "\(output.stderr)")
        #expect(output.stderr.contains("exit 'chek' of shape 'convert' points to no shape; did you mean 'check'?"),
                "\(output.stderr)")
    }

    @Test("conveyor --version prints the version")
    func version() throws {
        let output = try Harness.conveyor(["--version"])
        #expect(output.status == 0, "\(output.stderr)")
        let text = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.split(separator: ".").count == 3 && text.allSatisfy { $0.isNumber || $0 == "." }, "\(text)")
    }

    @Test("setProperties from a path the document lacks fails that document, the others go on")
    func setPropertiesFromMissingPath() throws {
        let root = try Self.workspace("missing-path")
        try """
            {"customer": {"name": "Ada", "email": "ada.json"}, "lines": []}
            {"customer": {"name": "Bob"}, "lines": []}
            """.write(toFile: root + "/in/people.jsonl", atomically: true, encoding: .utf8)
        let run = try Harness.conveyor(["run", "flow", "--workspace", root])
        #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("path '/email' has no value in document"), "\(run.stdout)\n\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/out/ada.json"))
        let written = try FileManager.default.contentsOfDirectory(atPath: root + "/out")
        #expect(written == ["ada.json"], "an empty file name must not be used: \(written)")
    }
}
