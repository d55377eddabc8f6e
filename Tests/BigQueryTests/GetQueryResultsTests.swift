@testable import BigQuery
import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

private let site = SourceLocation(file: "connectors/read-results.xml", line: 2, column: 1)

/// Events in the order they happened: requests sent by the fake and pages taken downstream.
final class EventLog: Sendable {
    private let events = Mutex<[String]>([])
    func add(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }
}

func resultsOperation(_ children: [(String, String)], client: RecordingClient,
                      connectionLocation: String? = "EU") throws -> GetQueryResultsOperation {
    let definition = OperationDefinition(id: "read-results", type: "google-bigquery", action: "get-query-results",
                                         settings: settingsElement(children), location: site)
    let settings = try QueryResultsSettings.parse(definition, defaultProject: "demo",
                                                  defaultLocation: connectionLocation).get()
    var operation = GetQueryResultsOperation(settings: settings, rest: BigQueryREST(http: client, rootURL: "http://bq.test"))
    operation.pollInterval = .zero
    return operation
}

/// The query items of a request URL.
func queryItems(_ request: HTTPRequest) -> [String: String] {
    let items = URLComponents(string: request.url)?.queryItems ?? []
    return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, new in new })
}

let jobDocument = Document(data: Array(#"{"jobId":"job-1","location":"US"}"#.utf8), properties: ["source": "a.json"], index: 7)

@Suite("get-query-results")
struct GetQueryResultsTests {
    @Test("pages are requested with maxResults and the previous pageToken, one output per row")
    func paging() async throws {
        let row = #"[{"f":[{"v":"1"}]}, {"f":[{"v":"2"}]}]"#
        let client = RecordingClient { request, _ in
            let token = queryItems(request)["pageToken"]
            let next: String? = switch token { case nil: "p2"; case "p2": "p3"; default: nil }
            let body = #"{"schema":{"fields":[{"name":"n","type":"INTEGER"}]},"rows":\#(row),"jobComplete":true"#
                + (next.map { #","pageToken":"\#($0)"}"# } ?? "}")
            return HTTPResponse(status: 200, body: Array(body.utf8))
        }
        let op = try resultsOperation([("maxResults", "2")], client: client)
        let outcome = try await op.execute([jobDocument], context: context)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.outputs.count == 6)
        #expect(outcome.outputs.allSatisfy { $0.index == 7 && $0.properties["source"] == "a.json" })
        #expect(outcome.outputs.first?.properties["bigquery.jobId"] == "job-1")
        #expect(outcome.outputs.map(\.text) == Array(repeating: [#"{"n":1}"#, #"{"n":2}"#], count: 3).flatMap { $0 })
        let requests = client.requests
        try #require(requests.count == 3)
        #expect(requests.allSatisfy { $0.method == "GET" && $0.redactedURL == "http://bq.test/bigquery/v2/projects/demo/queries/job-1" })
        let items = requests.map(queryItems)
        #expect(items.map { $0["pageToken"] } == [nil, "p2", "p3"])
        #expect(items.allSatisfy { $0["maxResults"] == "2" && $0["location"] == "US"
            && $0["formatOptions.useInt64Timestamp"] == "true" })
        #expect(items.dropFirst().allSatisfy { $0["timeoutMs"] == "10000" }, "once complete, the timeout no longer shortens calls")
        #expect((9_000...10_000).contains(Int(items[0]["timeoutMs"] ?? "") ?? 0))
    }

    @Test("each page goes downstream before the next page is requested")
    func emitBeforeNextPage() async throws {
        let log = EventLog()
        let client = RecordingClient { request, number in
            log.add("request \(number)")
            let rows = QueryResultsFixture.rows
            return HTTPResponse(status: 200, body: QueryResultsFixture.page(rows: rows, pageToken: number < 2 ? "t\(number + 1)" : nil))
        }
        let op = try resultsOperation([], client: client)
        let outcome = try await op.execute([jobDocument], context: context) { page in
            log.add("emit \(page.count)")
        }
        #expect(outcome.outputs.isEmpty && outcome.failures.isEmpty)
        #expect(log.all == ["request 0", "emit 3", "request 1", "emit 3", "request 2", "emit 3"])
    }

    @Test("a job that is not complete is asked again until it is")
    func waitsForCompletion() async throws {
        let client = RecordingClient { _, number in
            HTTPResponse(status: 200, body: number < 2 ? QueryResultsFixture.running : QueryResultsFixture.page())
        }
        let op = try resultsOperation([("timeout", "30s")], client: client)
        let outcome = try await op.execute([jobDocument], context: context)
        #expect(client.requests.count == 3)
        #expect(outcome.outputs.count == 3)
        #expect(queryItems(client.requests[0])["pageToken"] == nil && queryItems(client.requests[2])["pageToken"] == nil)
        let firstWait = Int(queryItems(client.requests[0])["timeoutMs"] ?? "") ?? 0
        #expect(firstWait > 9_000 && firstWait <= 10_000)
    }

    @Test("a job still running at the timeout fails its document with the job and the setting")
    func timesOut() async throws {
        let client = RecordingClient { _, _ in HTTPResponse(status: 200, body: QueryResultsFixture.running) }
        var op = try resultsOperation([("timeout", "300ms")], client: client)
        op.pollInterval = .milliseconds(50)
        let outcome = try await op.execute([jobDocument], context: context)
        #expect(outcome.outputs.isEmpty)
        let failure = try #require(outcome.failures.first)
        #expect(failure.document.index == 7)
        #expect(failure.message.contains("job demo:US.job-1 did not complete within 300ms"))
        #expect(client.requests.count >= 2)
    }

    @Test("the job may come from a Job resource, document properties, or the settings' defaults")
    func jobSources() async throws {
        let client = RecordingClient { _, _ in HTTPResponse(status: 200, body: QueryResultsFixture.page()) }
        let op = try resultsOperation([("projectId", "{process:dataset}-project")], client: client)
        let documents = [
            Document(data: Array(#"{"kind":"bigquery#job","jobReference":{"projectId":"other","jobId":"j-a","location":"asia-east1"}}"#.utf8), index: 0),
            Document(data: [], properties: ["jobId": "j-b"], index: 1),
            Document(data: Array("{}".utf8), index: 2),
        ]
        let outcome = try await op.execute(documents, context: context)
        #expect(outcome.outputs.count == 6)
        #expect(client.requests.map(\.redactedURL) == ["http://bq.test/bigquery/v2/projects/other/queries/j-a",
                                                       "http://bq.test/bigquery/v2/projects/sales-project/queries/j-b"])
        #expect(client.requests.map { queryItems($0)["location"] } == ["asia-east1", "EU"])
        #expect(outcome.failures.map(\.document.index) == [2])
        #expect(outcome.failures.first?.message.contains("document 2 names no job") == true)
    }

    @Test("an API error fails the document with the API's message when returnApplicationErrors is off")
    func apiErrorFails() async throws {
        let client = RecordingClient { _, _ in
            HTTPResponse(status: 404, body: Array(#"{"error":{"code":404,"message":"Not found: Job demo:job-1","errors":[{"reason":"notFound"}]}}"#.utf8))
        }
        let op = try resultsOperation([], client: client)
        let outcome = try await op.execute([jobDocument], context: context)
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.applicationErrors == 0)
        #expect(outcome.failures.first?.message == "BigQuery getQueryResults demo:job-1: HTTP 404 notFound: Not found: Job demo:job-1")
    }

    @Test("an API error continues as a document when returnApplicationErrors is on")
    func apiErrorReturned() async throws {
        let client = RecordingClient { _, _ in
            HTTPResponse(status: 400, body: Array(#"{"error":{"code":400,"message":"Syntax error","errors":[{"reason":"invalidQuery"}]}}"#.utf8))
        }
        let op = try resultsOperation([("returnApplicationErrors", "true")], client: client)
        let outcome = try await op.execute([jobDocument], context: context)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.applicationErrors == 1)
        var document = try #require(outcome.outputs.first)
        #expect(document.index == 7)
        #expect(document.isApplicationError)
        #expect(document.properties[Document.applicationErrorProperty]?.contains("Syntax error") == true)
        let json = try document.json()
        #expect(json[key: "error"]?[key: "reason"] == .string("invalidQuery"))
        #expect(json[key: "error"]?[key: "status"] == .number("400"))
        #expect(json[key: "jobReference"]?[key: "jobId"] == .string("job-1"))
    }

    @Test("an error thrown downstream stops reading and is passed through unchanged")
    func downstreamErrorPropagates() async throws {
        let client = RecordingClient { _, number in
            HTTPResponse(status: 200, body: QueryResultsFixture.page(pageToken: "t\(number + 1)"))
        }
        let op = try resultsOperation([], client: client)
        await #expect(throws: DocumentError.self) {
            _ = try await op.execute([jobDocument], context: context) { _ in throw DocumentError("disk full", code: .unavailable) }
        }
        #expect(client.requests.count == 1)
    }

    @Test("settings are checked with their location")
    func badSettings() {
        let definition = OperationDefinition(id: "read-results", type: "google-bigquery", action: "get-query-results",
                                             settings: settingsElement([("maxResults", "0"), ("timeout", "soon")]), location: site)
        guard case .failure(let problems) = QueryResultsSettings.parse(definition, defaultProject: "demo", defaultLocation: nil) else {
            Issue.record("expected problems")
            return
        }
        #expect(problems.diagnostics.count == 2)
        #expect(problems.description.contains("<maxResults> must be a whole number from 1 to 100000, not '0'"))
        #expect(problems.description.contains("<timeout> 'soon' is not a duration"))
    }
}
