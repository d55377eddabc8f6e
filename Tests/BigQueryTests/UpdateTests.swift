@testable import BigQuery
import DocumentMapping
import HTTPTransport
import ProcessEngine
import ProcessModel
import Testing

private let site = SourceLocation(file: "connectors/update-table.xml", line: 2, column: 1)

func updateOperation(_ children: [(String, String)], client: RecordingClient) throws -> UpdateOperation {
    let definition = OperationDefinition(id: "update-table", type: "google-bigquery", action: "update",
                                         settings: settingsElement(children), location: site)
    let settings = try UpdateSettings.parse(definition, defaultProject: "demo").get()
    return UpdateOperation(settings: settings, rest: BigQueryREST(http: client, rootURL: "http://bq.test"))
}

/// Answers with the request body plus an etag, as the API returns the updated resource.
func echoTable() -> RecordingClient {
    RecordingClient { request, _ in
        HTTPResponse(status: 200, body: Array(#"{"etag":"e1","#.utf8) + request.body.dropFirst())
    }
}

@Suite("update")
struct UpdateTests {
    @Test("without fullUpdate a table is patched at its interpolated ids and the API's resource is the output")
    func patch() async throws {
        let client = RecordingClient { request, _ in
            HTTPResponse(status: 200, body: Array(#"{"kind":"bigquery#table","description":"orders v2","#.utf8) + request.body.dropFirst())
        }
        let op = try updateOperation([("datasetId", "{process:dataset}"), ("tableId", "{table}")], client: client)
        let input = Document(data: Array(#"{"description":"orders v2","labels":{"team":"sales"}}"#.utf8),
                             properties: ["table": "orders"], index: 4)
        let outcome = try await op.execute([input], context: context)
        #expect(outcome.failures.isEmpty)
        let request = try #require(client.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.url == "http://bq.test/bigquery/v2/projects/demo/datasets/sales/tables/orders")
        #expect(request.body == input.data, "a patch sends the document unchanged")
        var output = try #require(outcome.outputs.first)
        #expect(output.index == 4)
        #expect(output.properties["bigquery.tableId"] == "orders")
        #expect(try output.json()[key: "kind"] == .string("bigquery#table"))
    }

    @Test("fullUpdate sends PUT and adds the tableReference the document lacks")
    func put() async throws {
        let client = echoTable()
        let op = try updateOperation([("datasetId", "sales"), ("tableId", "orders"), ("fullUpdate", "true")], client: client)
        let input = Document(data: Array(#"{"schema":{"fields":[{"name":"id","type":"INTEGER","mode":"NULLABLE"}]}}"#.utf8))
        let outcome = try await op.execute([input], context: context)
        #expect(outcome.outputs.count == 1)
        let request = try #require(client.requests.last)
        #expect(request.method == "PUT")
        let body = try JSONParser.parse(request.body)
        #expect(body[key: "tableReference"] == .object(JSONObject([("projectId", .string("demo")),
            ("datasetId", .string("sales")), ("tableId", .string("orders"))])))
        #expect(body[key: "schema"]?[key: "fields"]?[index: 0]?[key: "mode"] == .string("NULLABLE"))
    }

    @Test("dynamic objects take their ids from each document's tableReference")
    func dynamicIDs() async throws {
        let client = RecordingClient()
        let op = try updateOperation([("object", "dynamic-view")], client: client)
        let documents = [
            Document(data: Array(#"{"tableReference":{"projectId":"p2","datasetId":"d1","tableId":"v1"},"view":{"query":"SELECT 1"}}"#.utf8), index: 0),
            Document(data: Array(#"{"tableReference":{"datasetId":"d2","tableId":"v2"},"description":"x"}"#.utf8), index: 1),
            Document(data: Array(#"{"description":"no reference"}"#.utf8), index: 2),
        ]
        let outcome = try await op.execute(documents, context: context)
        #expect(client.requests.map(\.url) == ["http://bq.test/bigquery/v2/projects/p2/datasets/d1/tables/v1",
                                               "http://bq.test/bigquery/v2/projects/demo/datasets/d2/tables/v2"])
        #expect(client.requests.allSatisfy { $0.method == "PATCH" })
        #expect(outcome.outputs.map(\.index) == [0, 1])
        #expect(outcome.failures.map(\.document.index) == [2])
        #expect(outcome.failures.first?.message
            == "document 2: object dynamic-view takes the view from the document, which needs tableReference.datasetId and tableReference.tableId")
    }

    @Test("a full update of a view without view.query fails before any request")
    func viewNeedsQuery() async throws {
        let client = RecordingClient()
        let op = try updateOperation([("object", "view"), ("datasetId", "sales"), ("tableId", "v"), ("fullUpdate", "true")],
                                     client: client)
        let outcome = try await op.execute([Document(data: Array(#"{"description":"d"}"#.utf8), index: 3),
                                            Document(data: Array("[1]".utf8), index: 4)], context: context)
        #expect(client.requests.isEmpty)
        #expect(outcome.failures.map(\.message) == [
            "document 3: a full update of view sales.v needs view.query (a full update replaces the whole view)",
            "document 4: an update needs a view resource as a JSON object"])
    }

    @Test("API errors fail the document, or continue as documents with returnApplicationErrors",
          arguments: [false, true])
    func apiErrors(returnErrors: Bool) async throws {
        let client = RecordingClient { _, _ in
            HTTPResponse(status: 400, body: Array(#"{"error":{"code":400,"message":"Provided Schema does not match Table demo:sales.orders. Cannot add fields (field: id)","errors":[{"reason":"invalid"}]}}"#.utf8))
        }
        let op = try updateOperation([("datasetId", "sales"), ("tableId", "orders"),
                                      ("returnApplicationErrors", returnErrors ? "true" : "false")], client: client)
        let outcome = try await op.execute([Document(data: Array(#"{"description":"d"}"#.utf8), index: 1)], context: context)
        let message = "BigQuery tables.patch demo.sales.orders: HTTP 400 invalid: Provided Schema does not match Table demo:sales.orders. Cannot add fields (field: id)"
        if returnErrors {
            #expect(outcome.failures.isEmpty)
            #expect(outcome.applicationErrors == 1)
            var document = try #require(outcome.outputs.first)
            #expect(document.properties[Document.applicationErrorProperty] == message)
            #expect(try document.json()[key: "request"]?[key: "description"] == .string("d"))
            #expect(try document.json()[key: "error"]?[key: "reason"] == .string("invalid"))
        } else {
            #expect(outcome.outputs.isEmpty)
            #expect(outcome.failures.map(\.message) == [message])
        }
    }

    @Test("static objects need datasetId and tableId; object must be a known word")
    func settingsProblems() {
        let definition = OperationDefinition(id: "update-table", type: "google-bigquery", action: "update",
                                             settings: settingsElement([("object", "tables")]), location: site)
        guard case .failure(let problems) = UpdateSettings.parse(definition, defaultProject: "demo") else {
            Issue.record("expected problems")
            return
        }
        #expect(problems.description.contains("<object> must be one of table, view, dynamic-table, dynamic-view, not 'tables'"))
        #expect(problems.description.contains("needs a <datasetId>"))
        #expect(problems.description.contains("needs a <tableId>"))
    }
}
