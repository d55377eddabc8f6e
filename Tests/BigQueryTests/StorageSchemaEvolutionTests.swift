@testable import BigQuery
import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import Testing

/// ``StorageSchemaEvolution`` against scripted BigQuery answers: what it asks for and when.
@Suite struct StorageSchemaEvolutionTests {
    static let table = TableReference(project: "demo", dataset: "crm", table: "customers")
    static let tablePath = "/bigquery/v2/projects/demo/datasets/crm/tables/customers"

    static func schema(_ names: [String]) -> HTTPResponse {
        let fields = names.map { #"{"name": "\#($0)", "type": "STRING", "mode": "NULLABLE"}"# }.joined(separator: ", ")
        return HTTPResponse(status: 200, body: Array(#"{"schema": {"fields": [\#(fields)]}}"#.utf8))
    }

    static func evolution(_ client: RecordingClient) -> StorageSchemaEvolution {
        let rest = BigQueryREST(http: client, rootURL: "http://bq.test")
        return StorageSchemaEvolution(rest: rest, runner: JobRunner(rest: JobsREST(rest: rest), clock: SystemJobClock()),
                                      location: nil, cdc: false)
    }

    static func rows(_ lines: [String]) throws -> [StorageRow] {
        try lines.map { StorageRow(value: try JSONParser.parse($0)) }
    }

    static func lines(_ client: RecordingClient) -> [String] {
        client.requests.map { "\($0.method) \($0.url.replacingOccurrences(of: "http://bq.test", with: ""))" }
    }

    @Test("known members cost no request after the first read; a column another writer added is used as it is")
    func concurrentAddIsUsed() async throws {
        let client = RecordingClient { request, number in
            number == 0 ? Self.schema(["id"]) : Self.schema(["id", "colour"])
        }
        let evolution = Self.evolution(client)
        let first = try await evolution.evolve(Self.table, rows: try Self.rows([#"{"id": "1"}"#]), executionID: "ex-1")
        #expect(!first.changed && first.lines.isEmpty)
        let second = try await evolution.evolve(Self.table, rows: try Self.rows([#"{"id": "2", "colour": "red"}"#]), executionID: "ex-1")
        #expect(second.changed, "the writer reads the schema again")
        #expect(second.lines.isEmpty, "nothing was added by this writer")
        let third = try await evolution.evolve(Self.table, rows: try Self.rows([#"{"ID": "3", "Colour": "blue", "x": null}"#]),
                                               executionID: "ex-1")
        #expect(!third.changed)
        #expect(Self.lines(client) == ["GET \(Self.tablePath)", "GET \(Self.tablePath)"])
    }

    @Test("a missing column: ALTER TABLE ADD COLUMN IF NOT EXISTS, then tables.patch where the schema read back lacks it")
    func alterThenPatch() async throws {
        let client = RecordingClient { request, number in
            switch request.method {
            case "POST": HTTPResponse(status: 200, body: Array(#"{"status": {"state": "DONE"}}"#.utf8))
            case "PATCH": Self.schema(["id", "score"])
            default: Self.schema(["id"])
            }
        }
        let outcome = try await Self.evolution(client).evolve(Self.table, rows: try Self.rows([#"{"id": "1", "score": 7, "bad name": 1}"#]),
                                                              executionID: "ex-2")
        #expect(outcome.changed)
        #expect(outcome.lines == ["column score (INTEGER) added to table demo.crm.customers (schemaUpdate add-columns)"])
        #expect(Self.lines(client) == ["GET \(Self.tablePath)", "GET \(Self.tablePath)", "POST /bigquery/v2/projects/demo/jobs",
                                       "GET \(Self.tablePath)", "PATCH \(Self.tablePath)"])
        let job = try JSONParser.parse(client.requests[2].body)
        #expect(job[key: "configuration"]?[key: "query"]?[key: "query"]?.stringValue
                == "ALTER TABLE `demo.crm.customers` ADD COLUMN IF NOT EXISTS `score` INT64")
        let patch = try JSONParser.parse(client.requests[4].body)
        let fields = patch[key: "schema"]?[key: "fields"]?.arrayValue ?? []
        #expect(fields.map { $0[key: "name"]?.stringValue } == ["id", "score"])
        #expect(fields.last?[key: "type"]?.stringValue == "INTEGER")
        #expect(fields.last?[key: "mode"]?.stringValue == "NULLABLE")
    }

    @Test("a column that cannot be added fails naming it and the table; one added meanwhile by another writer does not")
    func failedAdd() async throws {
        let denied = RecordingClient { request, _ in
            request.method == "POST"
                ? HTTPResponse(status: 403, body: Array(#"{"error": {"code": 403, "message": "Access Denied: Table demo:crm.customers"}}"#.utf8))
                : Self.schema(["id"])
        }
        do {
            _ = try await Self.evolution(denied).evolve(Self.table, rows: try Self.rows([#"{"id": "1", "price": 2.5}"#]), executionID: "ex-3")
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("schemaUpdate is add-columns, but column(s) price (NUMERIC) could not be added to table demo.crm.customers"),
                    "\(error)")
            #expect("\(error)".contains("Access Denied"), "\(error)")
        }
        // The add failed, but the table has the column when read again: another writer added it.
        let raced = RecordingClient { request, number in
            if request.method == "POST" { return HTTPResponse(status: 400, body: Array(#"{"error": {"code": 400, "message": "conflict"}}"#.utf8)) }
            return number < 2 ? Self.schema(["id"]) : Self.schema(["id", "price"])
        }
        let outcome = try await Self.evolution(raced).evolve(Self.table, rows: try Self.rows([#"{"id": "1", "price": 2.5}"#]), executionID: "ex-4")
        #expect(outcome.changed && outcome.lines.isEmpty)
    }
}
