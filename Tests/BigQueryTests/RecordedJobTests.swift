import DocumentMapping
import Foundation
import ProcessEngine
import Testing

/// `get-query-results` and `upsert-data` against a recording server answering as BigQuery
/// documents it, where the local emulator answers differently.
@Suite("get-query-results and upsert-data requests and BigQuery's documented answers")
struct RecordedJobTests {
    static let resultsPath = "/bigquery/v2/projects/demo/queries/job_42"
    static var schema: [String: Any] { ["fields": [
        ["name": "id", "type": "INTEGER", "mode": "NULLABLE"],
        ["name": "total", "type": "NUMERIC", "mode": "NULLABLE"],
        ["name": "placed", "type": "TIMESTAMP", "mode": "NULLABLE"],
    ]] }
    static var reference: [String: Any] { ["projectId": "demo", "jobId": "job_42", "location": "EU"] }

    @Test("getQueryResults: jobComplete false is asked again, then pages are followed by pageToken")
    func unfinishedThenPaged() async throws {
        let server = try await RecordingServer([.init(method: "GET", path: Self.resultsPath, responses: [
            json(["kind": "bigquery#getQueryResultsResponse", "jobReference": Self.reference, "jobComplete": false]),
            json(["kind": "bigquery#getQueryResultsResponse", "jobReference": Self.reference, "jobComplete": true,
                  "schema": Self.schema, "totalRows": "3", "pageToken": "page-2", "rows": [
                      ["f": [["v": "1001"], ["v": "59.97"], ["v": "1795166100123456"]]],
                      ["f": [["v": "1002"], ["v": "5"], ["v": NSNull()]]],
                  ]]),
            json(["kind": "bigquery#getQueryResultsResponse", "jobReference": Self.reference, "jobComplete": true,
                  "schema": Self.schema, "totalRows": "3", "rows": [
                      ["f": [["v": "9007199254740993"], ["v": "0.1"], ["v": "1795166100000000"]]],
                  ]]),
        ])])
        defer { server.stop() }
        let operation = try await server.operation("get-query-results", [("maxResults", "2"), ("timeout", "1m")])
        var pages: [[String]] = []
        let input = Document(data: Array(#"{"jobId": "job_42"}"#.utf8), properties: ["batch": "b1"], index: 4)
        let outcome = try await operation.execute([input], context: jobContext) { documents in
            pages.append(documents.map(\.text))
        }
        #expect(outcome.failures.isEmpty)
        #expect(pages == [
            [#"{"id":1001,"total":"59.97","placed":"2026-11-20T09:15:00.123456Z"}"#,
             #"{"id":1002,"total":"5","placed":null}"#],
            [#"{"id":9007199254740993,"total":"0.1","placed":"2026-11-20T09:15:00Z"}"#],
        ])

        let requests = try await server.requests()
        #expect(requests.map(\.line) == Array(repeating: "GET \(Self.resultsPath)", count: 3))
        for request in requests {
            #expect(request.headers["authorization"] == "Bearer \(RecordingServer.accessToken)")
            #expect(request.body.isEmpty)
            #expect(request.query["maxResults"] == ["2"])
            #expect(request.query["location"] == ["EU"])
            #expect(request.query["formatOptions.useInt64Timestamp"] == ["true"])
            #expect(request.query["timeoutMs"] == ["10000"], "each call lets BigQuery wait up to 10 s")
        }
        #expect(requests.map { $0.query["pageToken"] } == [nil, nil, ["page-2"]])
    }

    static let tablePath = "/bigquery/v2/projects/demo/datasets/crm/tables/customers"
    static var customerSchema: [String: Any] { ["fields": [
        ["name": "customer_id", "type": "INTEGER", "mode": "REQUIRED"],
        ["name": "name", "type": "STRING", "mode": "NULLABLE"],
    ]] }

    /// The upsert's BigQuery conversation. The key count says 0 matched rows, `dmlStats` says one
    /// row was updated: the summary must follow `dmlStats`, which BigQuery reports for MERGE.
    static func upsertRules() -> [RecordingServer.Rule] {
        let done: [String: Any] = ["state": "DONE"]
        return [
            .init(method: "GET", path: tablePath, responses: [json(["tableReference": [
                "projectId": "demo", "datasetId": "crm", "tableId": "customers"], "schema": customerSchema])]),
            .init(method: "POST", path: "/bigquery/v2/projects/demo/datasets/crm/tables", responses: [json([:])]),
            .init(method: "POST", path: "/upload/bigquery/v2/projects/demo/jobs", responses: [
                json(["jobReference": ["projectId": "demo", "jobId": "load", "location": "EU"], "status": done]),
            ]),
            .init(method: "POST", path: "/bigquery/v2/projects/demo/queries", responses: [
                json(["jobComplete": false, "jobReference": ["projectId": "demo", "jobId": "count_1", "location": "EU"]]),
            ]),
            .init(method: "GET", path: "/bigquery/v2/projects/demo/queries/count_1", responses: [
                json(["jobComplete": true, "schema": ["fields": [["name": "matched", "type": "INTEGER"]]],
                      "rows": [["f": [["v": "0"]]]], "totalRows": "1"]),
            ]),
            .init(method: "POST", path: "/bigquery/v2/projects/demo/jobs", responses: [
                json(["jobReference": ["projectId": "demo", "jobId": "merge", "location": "EU"], "status": ["state": "RUNNING"]]),
            ]),
            .init(method: "GET", path: "/bigquery/v2/projects/demo/jobs/conveyor_[A-Za-z0-9_-]+", responses: [
                json(["jobReference": ["projectId": "demo", "jobId": "merge", "location": "EU"], "status": done,
                      "statistics": ["query": ["statementType": "MERGE", "numDmlAffectedRows": "3",
                                               "dmlStats": ["insertedRowCount": "2", "updatedRowCount": "1"]]]]),
            ]),
            .init(method: "DELETE", path: "/bigquery/v2/projects/demo/datasets/crm/tables/customers_conveyor_staging_[0-9a-f]{8}",
                  responses: [["status": 204]]),
        ]
    }

    @Test("upsert-data: every request in order, and the split read from the MERGE job's dmlStats")
    func upsertRequestsAndDMLStats() async throws {
        let server = try await RecordingServer(Self.upsertRules())
        defer { server.stop() }
        let operation = try await server.operation("upsert-data", [("datasetId", "crm"), ("tableId", "customers"),
                                                                   ("keys", "customer_id"), ("timeout", "1m")])
        let rows = [#"{"customer_id":1,"name":"Ada"}"#, #"{"customer_id":2,"name":"Grace"}"#, #"{"customer_id":3,"name":"Edsger"}"#]
        let outcome = try await operation.execute(
            rows.enumerated().map { Document(data: Array($0.element.utf8), index: $0.offset) }, context: jobContext)
        #expect(outcome.failures.map(\.message) == [])
        let summary = try object(try #require(outcome.outputs.first).text)
        #expect(summary["rowsInserted"] as? Int == 2)
        #expect(summary["rowsUpdated"] as? Int == 1)
        #expect(summary["rowsAffected"] as? Int == 3)
        #expect(summary["rowsStaged"] as? Int == 3)

        let requests = try await server.requests()
        #expect(requests.map { "\($0.method) \($0.path.replacing(/conveyor_staging_[0-9a-f]{8}/, with: "conveyor_staging_S").replacing(/jobs\/conveyor_.*/, with: "jobs/ID"))" } == [
            "GET \(Self.tablePath)",
            "POST /bigquery/v2/projects/demo/datasets/crm/tables",
            "POST /upload/bigquery/v2/projects/demo/jobs",
            "POST /bigquery/v2/projects/demo/queries",
            "GET /bigquery/v2/projects/demo/queries/count_1",
            "POST /bigquery/v2/projects/demo/jobs",
            "GET /bigquery/v2/projects/demo/jobs/ID",
            "DELETE \(Self.tablePath)_conveyor_staging_S",
        ])
        #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer \(RecordingServer.accessToken)" })

        let staging = try requests[1].json()
        #expect(requests[1].headers["content-type"] == "application/json")
        let stagingTable = try #require((staging["tableReference"] as? [String: Any])?["tableId"] as? String)
        #expect(requests[7].path == "/bigquery/v2/projects/demo/datasets/crm/tables/\(stagingTable)")
        #expect(staging["expirationTime"] as? String == String(1_800_000_000_000 + 24 * 3600 * 1000))
        #expect(((staging["schema"] as? [String: Any])?["fields"] as? [Any])?.count == 2)

        let upload = requests[2]
        #expect(upload.query["uploadType"] == ["multipart"])
        let contentType = try #require(upload.headers["content-type"])
        #expect(contentType.hasPrefix("multipart/related; boundary="))
        #expect(upload.body.contains(rows.joined(separator: "\n")))
        #expect(upload.body.contains(#""sourceFormat":"NEWLINE_DELIMITED_JSON""#))

        let count = try requests[3].json()
        #expect(count["useLegacySql"] as? Bool == false)
        #expect(count["location"] as? String == "EU")
        #expect(count["query"] as? String == "SELECT COUNT(*) AS matched FROM `demo.crm.\(stagingTable)` S WHERE EXISTS "
            + "(SELECT 1 FROM `demo.crm.customers` T WHERE T.`customer_id` = S.`customer_id`)")
        #expect(requests[4].query["location"] == ["EU"])

        let merge = try requests[5].json()
        let jobID = try #require((merge["jobReference"] as? [String: Any])?["jobId"] as? String)
        #expect(jobID.hasPrefix("conveyor_ex-7_0_"))
        #expect(requests[6].path == "/bigquery/v2/projects/demo/jobs/\(jobID)")
        #expect(requests[6].query["location"] == ["EU"])
        let query = (merge["configuration"] as? [String: Any])?["query"] as? [String: Any]
        #expect(query?["useLegacySql"] as? Bool == false)
        #expect(query?["query"] as? String == "MERGE `demo.crm.customers` T USING `demo.crm.\(stagingTable)` S "
            + "ON T.`customer_id` = S.`customer_id` WHEN MATCHED THEN UPDATE SET `name` = S.`name` "
            + "WHEN NOT MATCHED THEN INSERT (`customer_id`, `name`) VALUES (S.`customer_id`, S.`name`)")
    }
}
