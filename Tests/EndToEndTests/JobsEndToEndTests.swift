import Foundation
import Testing

/// `run-job` and `upsert-data` run by the built binary against the emulator, read back by the official client.
@Suite("run-job and upsert-data end to end")
struct JobsEndToEndTests {
    static let peopleSchema = """
        [{"name": "id", "type": "INT64"}, {"name": "name", "type": "STRING"},
         {"name": "tags", "type": "STRING", "mode": "REPEATED"},
         {"name": "address", "type": "RECORD", "fields": [{"name": "city", "type": "STRING"}, {"name": "zip", "type": "STRING"}]}]
        """

    /// A sample workspace plus the given connector and process files.
    static func workspace(_ files: [String: String]) throws -> String {
        let workspace = try Harness.sampleWorkspace()
        try FileManager.default.createDirectory(atPath: workspace + "/out", withIntermediateDirectories: true)
        for (path, text) in files {
            try text.write(toFile: workspace + "/" + path, atomically: true, encoding: .utf8)
        }
        return workspace
    }

    /// The table ids of a dataset, listed with the official client.
    static func tables(_ dataset: String, in workspace: String) throws -> [String] {
        _ = try Harness.emulatorHost()
        let script = """
            import os, sys
            from google.api_core.client_options import ClientOptions
            from google.auth.credentials import AnonymousCredentials
            from google.cloud import bigquery
            client = bigquery.Client(project="demo", credentials=AnonymousCredentials(),
                client_options=ClientOptions(api_endpoint="http://" + os.environ["BIGQUERY_EMULATOR_HOST"]))
            for table in client.list_tables("demo." + sys.argv[1]):
                print(table.table_id)
            """
        let output = try Harness.run(Harness.python, ["-c", script, dataset], in: workspace)
        #expect(output.status == 0, "list tables: \(output.stderr)")
        return output.stdout.split(separator: "\n").map(String.init)
    }

    static let upsertProcess = """
        <?xml version="1.0" encoding="UTF-8"?>
        <process id="upsert-people" name="Upsert people">
          <properties><property name="dataset" value="unset"/></properties>
          <shapes>
            <start id="start" next="upsert"><input/></start>
            <connector id="upsert" connection="bigquery-local" operation="upsert-rows" next="save"/>
            <connector id="save" connection="out" operation="save-summary" next="done"/>
            <stop id="done"/>
          </shapes>
        </process>
        """

    static func upsertOperation(keys: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <operation id="upsert-rows" type="google-bigquery" action="upsert-data">
          <datasetId>{process:dataset}</datasetId>
          <tableId>people</tableId>
          <keys>\(keys)</keys>
          <sourceFormat>NEWLINE_DELIMITED_JSON</sourceFormat>
          <timeout>2m</timeout>
        </operation>
        """
    }

    static let outFiles = [
        "connectors/out.xml": #"<connection id="out" type="disk"><directory>out</directory></connection>"#,
        "connectors/save-summary.xml": """
            <operation id="save-summary" type="disk" action="send"><fileName>summary.jsonl</fileName><append>true</append></operation>
            """,
    ]

    /// The emulator runs query jobs but does not write `destinationTable` (the official client sees
    /// the same), so the job writes its rows with DML; the destination JSON is covered by unit tests.
    @Test("a query job with a named parameter writes the selected rows into a table")
    func queryJobWithParameter() throws {
        let dataset = Harness.uniqueDataset()
        var files = Self.outFiles
        files["connectors/run-query.xml"] = """
            <?xml version="1.0" encoding="UTF-8"?>
            <operation id="query-job" type="google-bigquery" action="run-job">
              <jobType>query</jobType>
              <query>INSERT INTO `demo.{process:dataset}.picked` (id, name) SELECT id, name FROM UNNEST([STRUCT(1 AS id, 'one' AS name), STRUCT(2, 'two'), STRUCT(3, 'three')]) WHERE id >= @min_id</query>
              <parameter name="min_id" type="INT64"><value source="profile" path="/minId"/></parameter>
              <timeout>2m</timeout>
            </operation>
            """
        files["picked.json"] = #"[{"name": "id", "type": "INT64"}, {"name": "name", "type": "STRING"}]"#
        files["processes/run-query.xml"] = """
            <?xml version="1.0" encoding="UTF-8"?>
            <process id="run-query" name="Run a query">
              <properties><property name="dataset" value="unset"/></properties>
              <shapes>
                <start id="start" next="query"><input/></start>
                <connector id="query" connection="bigquery-local" operation="query-job" next="save"/>
                <connector id="save" connection="out" operation="save-summary" next="done"/>
                <stop id="done"/>
              </shapes>
            </process>
            """
        files["in.json"] = #"{"minId": 2}"#
        let workspace = try Self.workspace(files)
        _ = try Harness.bq(["create-table", "\(dataset).picked", "picked.json"], in: workspace)

        let validate = try Harness.conveyor(["validate", "--workspace", workspace])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let run = try Harness.conveyor(["run", "run-query", "--workspace", workspace, "--property", "dataset=\(dataset)",
                                        "--input", workspace + "/in.json", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        let rows = try Harness.jsonLines(try Harness.bq(["rows", "\(dataset).picked", "id"], in: workspace))
        #expect(rows.map { $0["id"] as? Int } == [2, 3])
        #expect(rows.map { $0["name"] as? String } == ["two", "three"])

        let jobs = try Harness.jsonLines(try String(contentsOfFile: workspace + "/out/summary.jsonl", encoding: .utf8))
        let job = try #require(jobs.first)
        #expect((job["status"] as? [String: Any])?["state"] as? String == "DONE")
        let jobID = (job["jobReference"] as? [String: Any])?["jobId"] as? String
        #expect(jobID?.hasPrefix("conveyor_ex-") == true, "\(job)")
        let statistics = (job["statistics"] as? [String: Any])?["query"] as? [String: Any]
        #expect(statistics?["numDmlAffectedRows"] as? String == "2", "\(job)")
    }

    @Test("an upsert updates existing keys and inserts new ones, nested and repeated columns included, and leaves no staging table")
    func upsertRows() throws {
        let dataset = Harness.uniqueDataset()
        var files = Self.outFiles
        files["connectors/upsert-people.xml"] = Self.upsertOperation(keys: "id")
        files["processes/upsert-people.xml"] = Self.upsertProcess
        files["people.json"] = Self.peopleSchema
        files["first.jsonl"] = """
            {"id": 1, "name": "Ada", "tags": ["math"], "address": {"city": "London", "zip": "N1"}}
            {"id": 2, "name": "Grace", "tags": ["navy"], "address": {"city": "Arlington", "zip": "22201"}}
            """
        files["second.jsonl"] = """
            {"id": 2, "name": "Grace Hopper", "tags": ["navy", "cobol"], "address": {"city": "New York", "zip": "10001"}}
            {"id": 3, "name": "Linus", "tags": [], "address": null}
            """
        let workspace = try Self.workspace(files)
        _ = try Harness.bq(["create-table", "\(dataset).people", "people.json"], in: workspace)

        for input in ["first.jsonl", "second.jsonl"] {
            let run = try Harness.conveyor(["run", "upsert-people", "--workspace", workspace,
                                            "--property", "dataset=\(dataset)", "--input", workspace + "/" + input, "--json"])
            #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        }
        let summaries = try Harness.jsonLines(try String(contentsOfFile: workspace + "/out/summary.jsonl", encoding: .utf8))
        try #require(summaries.count == 2)
        #expect(summaries[0]["rowsInserted"] as? Int == 2)
        #expect(summaries[0]["rowsUpdated"] as? Int == 0)
        #expect(summaries[1]["rowsInserted"] as? Int == 1)
        #expect(summaries[1]["rowsUpdated"] as? Int == 1)
        #expect(summaries[1]["rowsAffected"] as? Int == 2)
        #expect((summaries[1]["jobId"] as? String)?.hasPrefix("conveyor_") == true)

        let rows = try Harness.jsonLines(try Harness.bq(["rows", "\(dataset).people", "id"], in: workspace))
        #expect(rows.map { $0["id"] as? Int } == [1, 2, 3])
        #expect(rows[0]["name"] as? String == "Ada")
        #expect(rows[1]["name"] as? String == "Grace Hopper")
        #expect(rows[1]["tags"] as? [String] == ["navy", "cobol"])
        #expect((rows[1]["address"] as? [String: Any])?["city"] as? String == "New York")
        #expect(rows[2]["name"] as? String == "Linus")
        #expect(rows[2]["tags"] as? [String] == [])
        #expect(try Self.tables(dataset, in: workspace) == ["people"])
    }

    @Test("a failing MERGE fails the documents and still drops the staging table")
    func failingMergeDropsStaging() throws {
        let dataset = Harness.uniqueDataset()
        var files = Self.outFiles
        files["connectors/upsert-people.xml"] = Self.upsertOperation(keys: "nope")
        files["processes/upsert-people.xml"] = Self.upsertProcess
        files["people.json"] = Self.peopleSchema
        files["rows.jsonl"] = #"{"id": 1, "name": "Ada", "tags": [], "address": null}"#
        let workspace = try Self.workspace(files)
        _ = try Harness.bq(["create-table", "\(dataset).people", "people.json"], in: workspace)

        let run = try Harness.conveyor(["run", "upsert-people", "--workspace", workspace,
                                        "--property", "dataset=\(dataset)", "--input", workspace + "/rows.jsonl", "--json"])
        #expect(run.status == 1, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        let execution = try #require(try Harness.json(run.stdout) as? [String: Any])
        #expect(execution["status"] as? String == "ERROR")
        let failed = try #require((execution["documents"] as? [[String: Any]])?.first)
        let message = failed["error"] as? String ?? ""
        #expect(message.contains("upsert into demo.\(dataset).people failed"), "\(message)")
        #expect(message.contains("nope"), "\(message)")
        #expect(try Self.tables(dataset, in: workspace) == ["people"])
        #expect(try Harness.bq(["count", "\(dataset).people"], in: workspace).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test("rows over 5 MB travel in a resumable upload and are merged")
    func resumableUpsert() throws {
        let dataset = Harness.uniqueDataset()
        var files = Self.outFiles
        files["connectors/upsert-people.xml"] = Self.upsertOperation(keys: "id")
        files["processes/upsert-people.xml"] = Self.upsertProcess
        files["people.json"] = Self.peopleSchema
        let padding = String(repeating: "x", count: 1_000_000)
        files["big.jsonl"] = (1...6).map { #"{"id": \#($0), "name": "\#(padding)", "tags": ["t\#($0)"]}"# }.joined(separator: "\n")
        let workspace = try Self.workspace(files)
        _ = try Harness.bq(["create-table", "\(dataset).people", "people.json"], in: workspace)

        let run = try Harness.conveyor(["run", "upsert-people", "--workspace", workspace,
                                        "--property", "dataset=\(dataset)", "--input", workspace + "/big.jsonl", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)\nstdout: \(run.stdout)")
        let summaries = try Harness.jsonLines(try String(contentsOfFile: workspace + "/out/summary.jsonl", encoding: .utf8))
        #expect(summaries.first?["rowsInserted"] as? Int == 6)
        #expect(try Harness.bq(["count", "\(dataset).people"], in: workspace).trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        #expect(try Self.tables(dataset, in: workspace) == ["people"])
    }
}
