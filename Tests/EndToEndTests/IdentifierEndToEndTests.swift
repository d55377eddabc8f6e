import Foundation
import Testing

/// A table id taken from a document is checked before anything is sent: a hostile or empty one
/// fails that document with the id in its error, the other documents land.
@Suite("BigQuery identifiers from documents")
struct IdentifierEndToEndTests {
    static let hostile = ["crm/tables/users?x=", "has space?", "", "a#b"]

    /// A workspace whose process reads `--input` documents `{"id": n, "table": "…"}` and
    /// streaming-inserts each into the table its `table` member names.
    static func workspace(dataset: String, connection: String) throws -> String {
        try Harness.workspace("identifiers", files: [
            "connectors/bigquery.xml": connection,
            "connectors/insert.xml": """
                <operation id="insert" type="google-bigquery" action="streaming-insert">
                  <datasetId>\(dataset)</datasetId>
                  <tableId>{table}</tableId>
                  <ignoreUnknownValues>true</ignoreUnknownValues>
                </operation>
                """,
            "processes/route.xml": """
                <process id="route" name="Route">
                  <shapes>
                    <start id="start" next="tag"><input/></start>
                    <setProperties id="tag" next="insert">
                      <property scope="document" name="table"><value source="profile" path="/table"/></property>
                    </setProperties>
                    <connector id="insert" connection="bigquery" operation="insert" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
            "rows.json": #"[{"name": "id", "type": "INT64"}, {"name": "table", "type": "STRING"}]"#,
        ])
    }

    /// Writes the documents: ids 1 and 2 go to `orders`, then one per hostile id.
    static func inputs(in root: String) throws -> [String] {
        let tables = ["orders", "orders"] + hostile
        return try tables.enumerated().map { index, table in
            let path = root + "/in/doc-\(index + 1).json"
            let text = String(decoding: try JSONSerialization.data(withJSONObject: ["id": index + 1, "table": table]),
                              as: UTF8.self)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    static func failedErrors(_ stdout: String) throws -> [String] {
        let execution = try #require(try Harness.json(stdout) as? [String: Any], "\(stdout)")
        let documents = try #require(execution["documents"] as? [[String: Any]], "\(stdout)")
        return documents.filter { $0["status"] as? String == "error" }.compactMap { $0["error"] as? String }
    }

    @Test("hostile ids fail their documents, the others land in the emulator")
    func hostileIDsAgainstTheEmulator() throws {
        _ = try Harness.emulatorHost()
        let dataset = Harness.uniqueDataset()
        let root = try Self.workspace(dataset: dataset, connection: """
            <connection id="bigquery" type="google-bigquery"><projectId>demo</projectId><auth grant="none"/></connection>
            """)
        _ = try Harness.bq(["create-table", "\(dataset).orders", "rows.json"], in: root)
        let run = try Harness.conveyor(["run", "route", "--workspace", root, "--json", "--input"] + Self.inputs(in: root))
        #expect(run.status == 1, "\(run.stderr)")
        let errors = try Self.failedErrors(run.stdout)
        #expect(errors.count == Self.hostile.count, "\(errors)")
        for id in Self.hostile {
            #expect(errors.contains { $0.contains("'\(id)' is not a valid BigQuery table id") }, "\(id): \(errors)")
        }
        let rows = try Harness.bq(["rows", "\(dataset).orders", "id"], in: root)
        let ids = try Harness.jsonLines(rows).compactMap { ($0["id"] as? Int) ?? Int("\($0["id"] ?? "")") }
        #expect(ids == [1, 2], "\(rows)")
    }

    @Test("no request path carries a hostile id")
    func noRequestCarriesTheHostileID() throws {
        let scratch = try Harness.temporaryDirectory("recording")
        let script = scratch + "/script.json"
        let rules: [[String: Any]] = [["method": "POST", "path": "/bigquery/v2/projects/demo/datasets/sales/tables/.*/insertAll",
                                       "responses": [["status": 200, "json": ["kind": "bigquery#tableDataInsertAllResponse"]]]]]
        try JSONSerialization.data(withJSONObject: rules).write(to: URL(fileURLWithPath: script))
        let portFile = scratch + "/port"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Harness.python)
        server.arguments = [Harness.packageRoot + "/Tests/BigQueryTests/Fixtures/recording_server.py",
                            "--script", script, "--port-file", portFile]
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            if port.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        }
        try #require(!port.isEmpty, "the recording server did not start")
        let base = "http://127.0.0.1:\(port)"
        let root = try Self.workspace(dataset: "sales", connection: """
            <connection id="bigquery" type="google-bigquery">
              <projectId>demo</projectId><rootUrl>\(base)</rootUrl><auth grant="none"/>
            </connection>
            """)
        let run = try Harness.conveyor(["run", "route", "--workspace", root, "--json", "--input"] + Self.inputs(in: root),
                                       environment: ["BIGQUERY_EMULATOR_HOST": ""])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(try Self.failedErrors(run.stdout).count == Self.hostile.count)
        let log = try Harness.run("/usr/bin/curl", ["-s", base + "/_requests"])
        let requests = try #require(try Harness.json(log.stdout) as? [[String: Any]], "\(log.stdout)")
        let paths = requests.compactMap { $0["path"] as? String }
        #expect(paths == ["/bigquery/v2/projects/demo/datasets/sales/tables/orders/insertAll"], "\(paths)")
        for request in requests {
            let body = request["body"] as? String ?? ""
            #expect(!body.contains("crm/tables") && !body.contains("a#b"), "\(body)")
        }
    }
}
