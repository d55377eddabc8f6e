import Foundation
import Testing

/// `conveyor import-profile` against the emulator.
@Suite("import-profile end to end")
struct ImportProfileTests {
    @Test("a table schema with nested and repeated fields becomes a valid bigquery-table profile")
    func importsSchema() throws {
        let workspace = try Harness.sampleWorkspace()
        let dataset = Harness.uniqueDataset()
        let schema = """
            [{"name": "id", "type": "INTEGER", "mode": "REQUIRED"}, {"name": "note", "type": "STRING"},
             {"name": "tags", "type": "STRING", "mode": "REPEATED"},
             {"name": "address", "type": "RECORD", "fields": [{"name": "city", "type": "STRING"},
                                                              {"name": "zip", "type": "STRING", "mode": "REQUIRED"}]}]
            """
        try schema.write(toFile: workspace + "/people.json", atomically: true, encoding: .utf8)
        _ = try Harness.bq(["create-table", "\(dataset).people", "people.json"], in: workspace)

        let imported = try Harness.conveyor(["import-profile", "--workspace", workspace, "--connection", "bigquery-local",
                                             "--table", "\(dataset).people", "--id", "people-row"])
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        let xml = try String(contentsOfFile: workspace + "/profiles/people-row.xml", encoding: .utf8)
        #expect(xml.contains(#"<profile id="people-row" type="bigquery-table">"#))
        #expect(xml.contains(#"<field name="id" type="INT64" mode="REQUIRED"/>"#))
        #expect(xml.contains(#"<field name="tags" type="STRING" mode="REPEATED"/>"#))
        #expect(xml.contains(#"<field name="address" type="RECORD">"#))
        #expect(xml.contains(#"    <field name="zip" type="STRING" mode="REQUIRED"/>"#))

        let validate = try Harness.conveyor(["validate", "--workspace", workspace])
        #expect(validate.status == 0, "the imported profile loads: \(validate.stderr)")

        let again = try Harness.conveyor(["import-profile", "--workspace", workspace, "--connection", "bigquery-local",
                                          "--table", "\(dataset).people", "--id", "people-row"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))

        let missing = try Harness.conveyor(["import-profile", "--workspace", workspace, "--connection", "bigquery-local",
                                            "--table", "\(dataset).nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope"), "names the table: \(missing.stderr)")
    }
}
