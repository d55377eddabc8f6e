@testable import BigQuery
import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel
import Testing

/// SQL is built from checked identifiers and constant text only: hostile keys, table names,
/// column names and document values are refused or travel as query parameters.
@Suite struct SecuritySQLTests {
    static let hostileNames = [
        "id`", "id; DROP TABLE x", "id -- comment", "1id", "ｉｄ", "id\nOR 1=1", "a.b", "id)", "", " id", "id ",
        "`id`", "id/*x*/", "i\u{0}d", "T.id",
    ]

    @Test(arguments: hostileNames)
    func hostileKeysAndColumnsAreRefused(_ name: String) {
        #expect(throws: DocumentError.self) { try MergeStatement.identifier(name, role: "key") }
        let table = TableReference(project: "demo", dataset: "d", table: "t")
        #expect(throws: DocumentError.self) {
            try MergeStatement(target: table, staging: table, keys: ["id"], columns: ["id", name])
        }
        let result = UpsertDataSettings.parse(jobOperation("upsert-data", [("datasetId", "d"), ("tableId", "t"), ("keys", name)]),
                                              defaultProject: "demo", defaultLocation: nil)
        if case .success(let settings) = result {
            // Only names the tokeniser splits into plain identifiers may pass (e.g. " id").
            #expect(settings.keys.allSatisfy { $0.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil }, "\(settings.keys)")
        }
    }

    @Test(arguments: [
        TableReference(project: "demo", dataset: "d", table: "t` WHERE 1=1 --"),
        TableReference(project: "demo`; DROP TABLE x; --", dataset: "d", table: "t"),
        TableReference(project: "demo", dataset: "d`.`e", table: "t"),
        TableReference(project: "demo", dataset: "d", table: "t\nDROP"),
        TableReference(project: "demo", dataset: "d", table: "t.u"),
        TableReference(project: "demo", dataset: "", table: "t"),
    ])
    func hostileTableNamesAreRefused(_ table: TableReference) {
        #expect(throws: DocumentError.self) { try MergeStatement.quoted(table) }
    }

    @Test func aTableNameFromADocumentPropertyFailsOnlyThatDocument() async throws {
        let client = upsertServer()
        let op = try upsert([("datasetId", "crm"), ("tableId", "{table}"), ("keys", "id")], client: client)
        let documents = [
            Document(data: Array(#"{"id": 1, "name": "Ada"}"#.utf8), properties: ["table": "people` T USING x ON TRUE --"], index: 0),
        ]
        let outcome = try await op.execute(documents, context: jobContext)
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.count == 1)
        let sent = client.requests.map { String(decoding: $0.body, as: UTF8.self) + $0.url }
        #expect(!sent.contains { $0.contains("USING x ON TRUE") }, "\(sent)")
    }

    @Test func aHostileColumnInTheTargetSchemaStopsTheUpsertBeforeAnySQL() async throws {
        let hostile = #"{"schema":{"fields":[{"name":"id","type":"INT64"},{"name":"x` = 1; DROP TABLE t; --","type":"STRING"}]}}"#
        let base = upsertServer()
        let client = RecordingClient { request, number in
            if request.method == "GET", request.url.hasSuffix("/tables/people") { return answer(200, hostile) }
            return base.answer(request, number)
        }
        let op = try upsert([("datasetId", "crm"), ("tableId", "people"), ("keys", "id")], client: client)
        let outcome = try await op.execute([Document(data: Array(#"{"id": 1}"#.utf8), index: 0)], context: jobContext)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.message.contains("is not a plain column name") == true, "\(outcome.failures)")
        let sent = client.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(!sent.contains { $0.contains("DROP TABLE") })
        #expect(!client.requests.contains { $0.url.hasSuffix("/queries") })
    }

    @Test func aDocumentPropertyInQueryTextIsRefused() {
        let refused = RunJobSettings.parse(jobOperation("run-job", [("query", "SELECT * FROM t WHERE name = '{name}'")]),
                                           defaultProject: "demo", defaultLocation: nil)
        guard case .failure(let problems) = refused else {
            Issue.record("a document property was accepted in SQL text")
            return
        }
        #expect(problems.description == "connectors/job.xml:4:3: error: <query> reads the document property {name}: document"
            + " values are never spliced into SQL; pass it as a <parameter> and write @name in the SQL instead")
        let allowed = RunJobSettings.parse(jobOperation("run-job", [("query", "SELECT * FROM `demo.{process:dataset}.t` WHERE id = @id")]),
                                           defaultProject: "demo", defaultLocation: nil)
        guard case .success = allowed else {
            Issue.record("process properties in SQL text were refused")
            return
        }
    }

    @Test func aHostileDocumentValueTravelsOnlyAsAParameter() async throws {
        let client = RecordingClient { _, _ in answer(200, doneJob("j")) }
        let op = try runJob([("query", "SELECT * FROM t WHERE name = @name")],
                            extra: [parameter("name", "STRING", [["source": "document", "property": "who"]])], client: client)
        let hostile = "x' OR '1'='1'; DROP TABLE t; --"
        let outcome = try await op.execute([Document(data: Array("{}".utf8), properties: ["who": hostile], index: 0)],
                                           context: jobContext)
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        let request = try #require(client.requests.first)
        let query = try #require(json(request)[key: "configuration"]?[key: "query"])
        #expect(query[key: "query"] == "SELECT * FROM t WHERE name = @name")
        #expect(query[key: "queryParameters"]?[index: 0]?[key: "parameterValue"] == ["value": .string(hostile)])
    }
}
