@testable import BigQuery
import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel
import Testing

func runJob(_ children: [(String, String)], extra: [SettingsElement] = [], client: some HTTPClient,
            clock: VirtualClock = VirtualClock()) throws -> RunJobOperation {
    let settings = try RunJobSettings.parse(jobOperation("run-job", children, extra: extra),
                                            defaultProject: "demo", defaultLocation: nil).get()
    var operation = RunJobOperation(settings: settings,
                                    runner: JobRunner(rest: JobsREST(http: client, rootURL: "http://bq.test"), clock: clock))
    operation.random = { 0xabc }
    return operation
}

@Suite("run-job")
struct RunJobTests {
    @Test("a query job carries typed named parameters, a client job id and its location; the SQL is untouched")
    func queryParameters() async throws {
        let client = RecordingClient { request, _ in answer(200, doneJob()) }
        let op = try runJob([("query", "SELECT * FROM t WHERE id = @id AND name = @name"), ("location", "EU"),
                             ("destinationTable", "{process:dataset}.out"), ("writeDisposition", "write_truncate")],
                            extra: [parameter("id", "INT64", [["source": "profile", "path": "/id"]]),
                                    parameter("name", "STRING", [["source": "static", "value": "O'Brien; DROP"]]),
                                    parameter("vip", "BOOLEAN", [["source": "static", "value": "TRUE"]]),
                                    parameter("tags", "ARRAY<INT64>", [["source": "static", "value": "1,2"]])],
                            client: client)
        let outcome = try await op.execute([Document(data: Array(#"{"id": 42}"#.utf8), index: 3)], context: jobContext)
        #expect(outcome.failures.isEmpty)
        let request = try #require(client.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "http://bq.test/bigquery/v2/projects/demo/jobs")
        let body = json(request)
        #expect(body[key: "jobReference"] == ["projectId": "demo", "jobId": "conveyor_ex-7_3_00000abc", "location": "EU"])
        let query = try #require(body[key: "configuration"]?[key: "query"])
        #expect(query[key: "query"] == "SELECT * FROM t WHERE id = @id AND name = @name")
        #expect(query[key: "useLegacySql"] == false)
        #expect(query[key: "parameterMode"] == "NAMED")
        #expect(query[key: "writeDisposition"] == "WRITE_TRUNCATE")
        #expect(query[key: "destinationTable"] == ["projectId": "demo", "datasetId": "sales", "tableId": "out"])
        #expect(query[key: "queryParameters"] == [
            ["name": "id", "parameterType": ["type": "INT64"], "parameterValue": ["value": "42"]],
            ["name": "name", "parameterType": ["type": "STRING"], "parameterValue": ["value": "O'Brien; DROP"]],
            ["name": "vip", "parameterType": ["type": "BOOL"], "parameterValue": ["value": "true"]],
            ["name": "tags", "parameterType": ["type": "ARRAY", "arrayType": ["type": "INT64"]],
             "parameterValue": ["arrayValues": [["value": "1"], ["value": "2"]]]],
        ])
        let output = try #require(outcome.outputs.first)
        #expect(output.properties["bigquery.jobId"] == "conveyor_ex-7_3_00000abc")
        #expect(output.properties["bigquery.location"] == "EU")
        #expect(output.text.contains(#""state":"DONE""#))
    }

    @Test("a parameter without a name is refused with its line (the schema lets postgresql's go unnamed)")
    func unnamedParameter() throws {
        var unnamed = parameter("id", "INT64", [["source": "static", "value": "1"]])
        unnamed.attributes["name"] = nil
        let parsed = RunJobSettings.parse(jobOperation("run-job", [("query", "SELECT @id")], extra: [unnamed]),
                                          defaultProject: "demo", defaultLocation: nil)
        guard case .failure(let problems) = parsed else {
            Issue.record("an unnamed parameter was accepted")
            return
        }
        #expect("\(problems)".contains("a run-job <parameter> needs a name attribute"))
    }

    @Test("a parameter value that does not fit its type fails that document, naming the parameter")
    func badParameterValue() async throws {
        let client = RecordingClient { _, _ in answer(200, doneJob()) }
        let op = try runJob([("query", "SELECT @n")], extra: [parameter("n", "INT64", [["source": "profile", "path": "/n"]])],
                            client: client)
        let outcome = try await op.execute([Document(data: Array(#"{"n": "4x"}"#.utf8))], context: jobContext)
        #expect(outcome.failures.first?.message == "query parameter 'n': '4x' is not a valid INT64")
        #expect(client.requests.isEmpty)
        let bad = RunJobSettings.parse(jobOperation("run-job", [("query", "SELECT 1")],
                                                    extra: [parameter("n", "INTEGR", [["source": "static", "value": "1"]])]),
                                       defaultProject: "demo", defaultLocation: nil)
        guard case .failure(let problems) = bad else { Issue.record("an unknown type was accepted"); return }
        #expect(problems.description.contains("connectors/job.xml:4:3"))
        #expect(problems.description.contains("'INTEGR' is not a GoogleSQL type"))
    }

    @Test("jobs.get polls at 0, 1, 2, 5, 10, 15 and 20 s, then every 20 s, with the location")
    func pollSchedule() async throws {
        let client = RecordingClient { request, number in
            if request.method == "POST" { return answer(200, runningJob()) }
            return answer(200, number >= 9 ? doneJob() : runningJob())
        }
        let clock = VirtualClock()
        let op = try runJob([("query", "SELECT 1"), ("location", "EU")], client: client, clock: clock)
        let outcome = try await op.execute([Document(data: [])], context: jobContext)
        #expect(outcome.outputs.count == 1)
        #expect(clock.sleeps == [1, 1, 3, 5, 5, 5, 20, 20].map { Duration.seconds($0) })
        let gets = client.requests.dropFirst()
        #expect(gets.count == 9)
        #expect(gets.allSatisfy { $0.method == "GET" && $0.url == "http://bq.test/bigquery/v2/projects/demo/jobs/conveyor_ex-7_0_00000abc?location=EU" })
    }

    @Test("the timeout ends the wait with an error while the job keeps running")
    func timeout() async throws {
        let client = RecordingClient { request, _ in answer(200, runningJob()) }
        let clock = VirtualClock()
        let op = try runJob([("query", "SELECT 1"), ("timeout", "30s")], client: client, clock: clock)
        let outcome = try await op.execute([Document(data: [])], context: jobContext)
        #expect(outcome.failures.first?.message == "BigQuery query job conveyor_ex-7_0_00000abc still running after 30s; it keeps running")
        #expect(clock.now() == .seconds(30))
        #expect(!client.requests.contains { $0.method == "DELETE" })

        let returning = try runJob([("query", "SELECT 1"), ("timeout", "1h"), ("returnApplicationErrors", "true")],
                                   client: client, clock: VirtualClock())
        let warned = try await returning.execute([Document(data: [])], context: jobContext)
        #expect(warned.applicationErrors == 1)
        let document = try #require(warned.outputs.first)
        #expect(document.properties[Document.applicationErrorProperty]?.contains("still running after 1h; it keeps running") == true)
        #expect(document.text.contains(#""reason":"stillRunning""#))
    }

    @Test("a retried insert names the same job; 409 Already Exists goes on with that job")
    func retriedInsert() async throws {
        let base = RecordingClient { request, number in
            switch number {
            case 0: return answer(503, #"{"error":{"code":503,"message":"backend","errors":[{"reason":"backendError"}]}}"#)
            case 1: return answer(409, #"{"error":{"code":409,"message":"Already Exists: Job demo:conveyor","errors":[{"reason":"duplicate"}]}}"#)
            default: return answer(200, doneJob())
            }
        }
        let retrying = RetryingHTTPClient(base: base, policy: RetryPolicy(), sleep: { _ in })
        let op = try runJob([("query", "SELECT 1")], client: retrying)
        let outcome = try await op.execute([Document(data: [], index: 5)], context: jobContext)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.outputs.count == 1)
        let requests = base.requests
        #expect(requests.map(\.method) == ["POST", "POST", "GET"])
        #expect(json(requests[0])[key: "jobReference"]?[key: "jobId"] == "conveyor_ex-7_5_00000abc")
        #expect(requests[0].body == requests[1].body)
        #expect(requests[2].url.hasSuffix("/jobs/conveyor_ex-7_5_00000abc"))
    }

    @Test("status.errorResult fails the document with reason and message; other errors follow")
    func errorResult() async throws {
        let failed = doneJob(extra: #","status":{"state":"DONE","errorResult":{"reason":"invalidQuery","message":"Syntax error: Unexpected end","location":"query"},"errors":[{"reason":"invalidQuery","message":"Syntax error: Unexpected end","location":"query"},{"reason":"stopped","message":"Job stopped"}]}"#)
            .replacingOccurrences(of: #""status":{"state":"DONE"},"#, with: "")
        let client = RecordingClient { _, _ in answer(200, failed) }
        let op = try runJob([("query", "SELECT")], client: client)
        let outcome = try await op.execute([Document(data: [])], context: jobContext)
        #expect(outcome.failures.first?.message
                == "BigQuery query job conveyor_ex-7_0_00000abc failed: invalidQuery: Syntax error: Unexpected end (at query) (also: stopped: Job stopped)")
    }

    @Test("a document carrying a Job resource is run as it is, with a job reference added")
    func carriedJob() async throws {
        let client = RecordingClient { _, _ in answer(200, doneJob()) }
        let op = try runJob([], client: client)
        let carried = #"{"configuration":{"copy":{"sourceTable":{"projectId":"demo","datasetId":"a","tableId":"b"},"destinationTable":{"projectId":"demo","datasetId":"a","tableId":"c"}}}}"#
        let outcome = try await op.execute([Document(data: Array(carried.utf8)), Document(data: Array("{}".utf8), index: 1)],
                                           context: jobContext)
        #expect(outcome.outputs.count == 1)
        let body = json(try #require(client.requests.first))
        #expect(body[key: "configuration"]?[key: "copy"]?[key: "destinationTable"]?[key: "tableId"] == "c")
        #expect(body[key: "jobReference"]?[key: "jobId"] == "conveyor_ex-7_0_00000abc")
        #expect(outcome.failures.first?.message.contains("is not a Job resource") == true)
    }

    @Test("load, copy and extract jobs are built from settings")
    func otherJobTypes() async throws {
        let client = RecordingClient { _, _ in answer(200, doneJob()) }
        let load = try runJob([("jobType", "load"), ("sourceUris", "gs://b/a.csv, gs://b/b.csv"), ("sourceFormat", "csv"),
                               ("destinationTable", "other:d.t"), ("schema", #"[{"name":"id","type":"INT64"}]"#)], client: client)
        _ = try await load.execute([Document(data: [])], context: jobContext)
        let extract = try runJob([("jobType", "extract"), ("sourceTable", "d.t"), ("destinationUris", "gs://b/out-*.json"),
                                  ("destinationFormat", "NEWLINE_DELIMITED_JSON")], client: client)
        _ = try await extract.execute([Document(data: [])], context: jobContext)
        let bodies = client.requests.map(json)
        #expect(bodies[0][key: "configuration"] == ["load": [
            "sourceUris": ["gs://b/a.csv", "gs://b/b.csv"], "sourceFormat": "CSV",
            "schema": ["fields": [["name": "id", "type": "INT64"]]],
            "destinationTable": ["projectId": "other", "datasetId": "d", "tableId": "t"]]])
        #expect(bodies[1][key: "configuration"] == ["extract": [
            "sourceTable": ["projectId": "demo", "datasetId": "d", "tableId": "t"],
            "destinationUris": ["gs://b/out-*.json"], "destinationFormat": "NEWLINE_DELIMITED_JSON"]])
        let missing = RunJobSettings.parse(jobOperation("run-job", [("jobType", "copy")]), defaultProject: "demo", defaultLocation: nil)
        guard case .failure(let problems) = missing else { Issue.record("copy without tables accepted"); return }
        #expect(problems.description.contains("needs a <sourceTable>"))
    }
}
