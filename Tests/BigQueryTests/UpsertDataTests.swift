@testable import BigQuery
import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel
import Testing

let targetTable = #"{"schema":{"fields":[{"name":"id","type":"INT64"},{"name":"name","type":"STRING"},{"name":"tags","type":"STRING","mode":"REPEATED"},{"name":"address","type":"RECORD","fields":[{"name":"city","type":"STRING"}]}]}}"#

/// Answers the upsert's calls like BigQuery; `merge` is the MERGE job's final resource.
func upsertServer(merge: String = doneJob("m", extra: #","statistics":{"query":{"numDmlAffectedRows":"3"}}"#),
                  matched: String = "1") -> RecordingClient {
    RecordingClient { request, _ in
        switch (request.method, request.url) {
        case ("GET", let url) where url.hasSuffix("/tables/people"): return answer(200, targetTable)
        case ("POST", let url) where url.hasSuffix("/datasets/crm/tables"): return answer(200, "{}")
        case ("POST", let url) where url.contains("/upload/"): return answer(200, doneJob("l"))
        case ("POST", let url) where url.hasSuffix("/queries"):
            return answer(200, #"{"jobComplete":true,"rows":[{"f":[{"v":"\#(matched)"}]}]}"#)
        case ("POST", let url) where url.hasSuffix("/jobs"): return answer(200, runningJob("m"))
        case ("GET", let url) where url.contains("/jobs/"): return answer(200, merge)
        case ("DELETE", _): return answer(204, "")
        default: return answer(404, #"{"error":{"code":404,"message":"unexpected \#(request.method) \#(request.url)"}}"#)
        }
    }
}

func upsert(_ children: [(String, String)], client: RecordingClient, multipartLimit: Int = 5 * 1024 * 1024,
            chunk: Int = 100 * 1024 * 1024) throws -> UpsertDataOperation {
    let settings = try UpsertDataSettings.parse(jobOperation("upsert-data", children),
                                                defaultProject: "demo", defaultLocation: nil).get()
    var rest = JobsREST(http: client, rootURL: "http://bq.test")
    rest.multipartLimit = multipartLimit
    rest.resumableChunkSize = chunk
    var operation = UpsertDataOperation(settings: settings, runner: JobRunner(rest: rest, clock: VirtualClock()))
    operation.random = { 0x1f }
    return operation
}

let people = [
    #"{"id": 1, "name": "Ada", "tags": ["a"], "address": {"city": "London"}}"#,
    #"{"id": 2, "name": "Grace", "tags": [], "address": null}"#,
    "{\"id\": 3, \"name\": \"Linus\"}\n{\"id\": 4, \"name\": \"Ken\"}",
].enumerated().map { Document(data: Array($1.utf8), index: $0) }

@Suite("upsert-data")
struct UpsertDataTests {
    @Test("rows go to a staging table, are merged on the keys, and the staging table is dropped")
    func happyPath() async throws {
        let client = upsertServer()
        let op = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id")], client: client)
        let outcome = try await op.execute(people, context: jobContext)
        #expect(outcome.failures.isEmpty)
        let requests = client.requests
        #expect(requests.map { "\($0.method) \($0.redactedURL)" } == [
            "GET http://bq.test/bigquery/v2/projects/demo/datasets/crm/tables/people",
            "POST http://bq.test/bigquery/v2/projects/demo/datasets/crm/tables",
            "POST http://bq.test/upload/bigquery/v2/projects/demo/jobs",
            "POST http://bq.test/bigquery/v2/projects/demo/queries",
            "POST http://bq.test/bigquery/v2/projects/demo/jobs",
            "GET http://bq.test/bigquery/v2/projects/demo/jobs/conveyor_ex-7_0_0000001f",
            "DELETE http://bq.test/bigquery/v2/projects/demo/datasets/crm/tables/people_conveyor_staging_0000001f",
        ])
        let created = json(requests[1])
        #expect(created[key: "tableReference"]?[key: "tableId"] == "people_conveyor_staging_0000001f")
        #expect(created[key: "expirationTime"] == .string(String(1_800_000_000_000 + 86_400_000)))
        #expect(created[key: "schema"]?[key: "fields"]?.arrayValue?.count == 4)
        #expect(requests[2].url.hasSuffix("?uploadType=multipart"))
        #expect(String(decoding: requests[3].body, as: UTF8.self).contains(
            "SELECT COUNT(*) AS matched FROM `demo.crm.people_conveyor_staging_0000001f` S WHERE EXISTS (SELECT 1 FROM `demo.crm.people` T WHERE T.`id` = S.`id`)"))
        #expect(json(requests[4])[key: "configuration"]?[key: "query"]?[key: "query"] == .string(
            "MERGE `demo.crm.people` T USING `demo.crm.people_conveyor_staging_0000001f` S ON T.`id` = S.`id`"
            + " WHEN MATCHED THEN UPDATE SET `name` = S.`name`, `tags` = S.`tags`, `address` = S.`address`"
            + " WHEN NOT MATCHED THEN INSERT (`id`, `name`, `tags`, `address`) VALUES (S.`id`, S.`name`, S.`tags`, S.`address`)"))
        let summary = try #require(outcome.outputs.first)
        #expect(outcome.outputs.count == 1)
        #expect(summary.index == 0)
        #expect(try JSONParser.parse(summary.data) == [
            "rowsInserted": 2, "rowsUpdated": 1, "rowsAffected": 3, "rowsStaged": 4,
            "jobId": "conveyor_ex-7_0_0000001f", "location": "EU"])
        #expect(summary.properties["bigquery.tableId"] == "people")
    }

    @Test("the multipart body holds the load job as JSON, then the rows as JSON lines")
    func multipartBody() async throws {
        let client = upsertServer()
        let op = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id")], client: client)
        _ = try await op.execute(Array(people.prefix(2)), context: jobContext)
        let upload = try #require(client.requests.first { $0.url.contains("/upload/") })
        let contentType = try #require(upload.headers.first(named: "Content-Type"))
        #expect(contentType.hasPrefix("multipart/related; boundary="))
        let boundary = String(contentType.dropFirst("multipart/related; boundary=".count))
        let job = #"{"jobReference":{"projectId":"demo","jobId":"conveyor_ex-7_0_0000001f"},"configuration":{"load":{"sourceFormat":"NEWLINE_DELIMITED_JSON","destinationTable":{"projectId":"demo","datasetId":"crm","tableId":"people_conveyor_staging_0000001f"},"writeDisposition":"WRITE_APPEND","createDisposition":"CREATE_NEVER"}}}"#
        let expected = "--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n\(job)\r\n"
            + "--\(boundary)\r\nContent-Type: application/octet-stream\r\n\r\n"
            + #"{"id":1,"name":"Ada","tags":["a"],"address":{"city":"London"}}"# + "\n"
            + #"{"id":2,"name":"Grace","tags":[],"address":null}"# + "\n"
            + "\r\n--\(boundary)--\r\n"
        #expect(String(decoding: upload.body, as: UTF8.self) == expected)
    }

    @Test("above the multipart limit the rows travel in a resumable upload: session, then ranged PUTs")
    func resumable() async throws {
        let base = upsertServer()
        let client = RecordingClient { request, number in
            if request.url.hasSuffix("uploadType=resumable") {
                return answer(200, "", headers: [HTTPHeader("Location", "http://bq.test/upload/session/abc")])
            }
            if request.method == "PUT" {
                let range = request.headers.first(named: "Content-Range") ?? ""
                if range.hasPrefix("bytes 0-") { return answer(308, "", headers: [HTTPHeader("Range", "bytes=0-99")]) }
                return answer(200, doneJob("l"))
            }
            return base.answer(request, number)
        }
        let op = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id")], client: client,
                            multipartLimit: 10, chunk: 100)
        let outcome = try await op.execute(people, context: jobContext)
        #expect(outcome.failures.isEmpty)
        let start = try #require(client.requests.first { $0.url.contains("/upload/") })
        #expect(start.url == "http://bq.test/upload/bigquery/v2/projects/demo/jobs?uploadType=resumable")
        #expect(json(start)[key: "configuration"]?[key: "load"]?[key: "sourceFormat"] == "NEWLINE_DELIMITED_JSON")
        let puts = client.requests.filter { $0.method == "PUT" }
        let total = puts.reduce(0) { $0 + $1.body.count }
        #expect(puts.count == 2)
        #expect(puts.allSatisfy { $0.url == "http://bq.test/upload/session/abc" })
        #expect(puts[0].headers.first(named: "Content-Range") == "bytes 0-99/\(total)")
        #expect(puts[1].headers.first(named: "Content-Range") == "bytes 100-\(total - 1)/\(total)")
        #expect(start.headers.first(named: "X-Upload-Content-Length") == String(total))
    }

    @Test("a failing MERGE fails the documents and still drops the staging table")
    func failingMergeDropsStaging() async throws {
        let failed = #"{"jobReference":{"projectId":"demo","jobId":"m"},"status":{"state":"DONE","errorResult":{"reason":"invalidQuery","message":"Unrecognized name: nope"}}}"#
        let client = upsertServer(merge: failed)
        let op = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id")], client: client)
        let outcome = try await op.execute(people, context: jobContext)
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.count == 3)
        #expect(outcome.failures.first?.message == "upsert into demo.crm.people failed while merging into the target: "
                + "BigQuery MERGE into demo.crm.people conveyor_ex-7_0_0000001f failed: invalidQuery: Unrecognized name: nope")
        #expect(client.requests.last?.method == "DELETE")
        #expect(client.requests.last?.url.hasSuffix("/tables/people_conveyor_staging_0000001f") == true)

        let returning = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id"),
                                    ("returnApplicationErrors", "true")], client: upsertServer(merge: failed))
        let warned = try await returning.execute(people, context: jobContext)
        #expect(warned.applicationErrors == 1)
        #expect(warned.outputs.first?.isApplicationError == true)
    }

    @Test("a failing staging load also drops the staging table")
    func failingLoadDropsStaging() async throws {
        let base = upsertServer()
        let client = RecordingClient { request, number in
            if request.url.contains("/upload/") {
                return answer(400, #"{"error":{"code":400,"message":"Invalid JSON row","errors":[{"reason":"invalid"}]}}"#)
            }
            return base.answer(request, number)
        }
        let op = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id")], client: client)
        let outcome = try await op.execute(people, context: jobContext)
        #expect(outcome.failures.first?.message.contains("failed while loading the staging table: BigQuery load upload demo: HTTP 400 invalid: Invalid JSON row") == true)
        #expect(client.requests.map(\.method).suffix(1) == ["DELETE"])
        #expect(!client.requests.contains { $0.url.hasSuffix("/queries") })
    }

    @Test("keys that are not plain column names are refused before any SQL is built")
    func identifierRejection() throws {
        let result = UpsertDataSettings.parse(jobOperation("upsert-data", [("datasetId", "d"), ("tableId", "t"),
                                                                           ("keys", "id; DROP TABLE x")]),
                                              defaultProject: "demo", defaultLocation: nil)
        guard case .failure(let problems) = result else { Issue.record("a bad key was accepted"); return }
        #expect(problems.description == "connectors/job.xml:4:3: error: <keys>: key 'id; DROP TABLE x' is not a plain column name (letters, digits and '_', not starting with a digit)")
        let target = TableReference(project: "demo", dataset: "d", table: "t")
        #expect(throws: DocumentError.self) {
            try MergeStatement(target: target, staging: target, keys: ["id"], columns: ["id", "a`b"])
        }
        let sneaky = TableReference(project: "demo", dataset: "d", table: "t` WHERE 1=1 --")
        #expect(throws: DocumentError.self) {
            try MergeStatement(target: sneaky, staging: target, keys: ["id"], columns: ["id"]).sql()
        }
    }

    @Test("dmlStats, when BigQuery reports it, gives the inserted and updated counts")
    func dmlStats() {
        let job = try? JSONParser.parse(#"{"statistics":{"query":{"numDmlAffectedRows":"5","dmlStats":{"insertedRowCount":"4","updatedRowCount":"1"}}}}"#)
        let summary = UpsertDataOperation.summary(job: job ?? .null, jobID: "j", matched: 3, staged: 5)
        #expect(summary[key: "rowsInserted"] == 4)
        #expect(summary[key: "rowsUpdated"] == 1)
        #expect(summary[key: "rowsAffected"] == 5)
    }

    @Test("CSV documents lose their header line; rows keep their order")
    func csvRows() async throws {
        let op = try upsert([("datasetId", "d"), ("tableId", "t"), ("keys", "id"), ("sourceFormat", "csv")],
                            client: upsertServer())
        var document = Document(data: Array("id,name\n1,Ada\n2,\"Grace, H\"".utf8))
        let (data, rows) = try op.stagedRows(of: &document)
        #expect(String(decoding: data, as: UTF8.self) == "1,Ada\n2,\"Grace, H\"\n")
        #expect(rows == 2)

        let client = upsertServer()
        let headerOnly = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id"), ("sourceFormat", "CSV")],
                                    client: client)
        let outcome = try await headerOnly.execute([Document(data: Array("id,name\n".utf8))], context: jobContext)
        #expect(client.requests.isEmpty, "no rows, no staging table")
        #expect(outcome.outputs.first?.text == #"{"rowsInserted":0,"rowsUpdated":0,"rowsAffected":0,"rowsStaged":0}"#)
    }
}
