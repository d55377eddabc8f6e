@testable import BigQuery
import DocumentMapping
import Foundation
import ProcessEngine
import Testing

/// Project, dataset and table ids are checked before anything is sent, and every REST path
/// segment is percent-encoded.
@Suite("BigQuery identifiers")
struct IdentifierTests {
    @Test("valid ids are accepted", arguments: [
        ("demo", "sales", "orders"), ("acme-prod", "Sales_2026", "table 01"), ("example.com:my-project", "d", "ग्राहक"),
        ("p", "_x", "00_お客様"), ("demo", "d", "étudiant-01"), ("demo", "d", "events$20260101"),
    ])
    func validIDs(_ ids: (String, String, String)) throws {
        let reference = try TableReference(checking: ids.0, dataset: ids.1, table: ids.2)
        #expect(reference.table == ids.2)
    }

    @Test("invalid ids are refused with the id in the message", arguments: [
        ("demo", "crm", "crm/tables/users?x="), ("demo", "crm", ""), ("demo", "crm", "   "), ("demo", "crm", "a#b"),
        ("demo", "crm", "a%2Fb"), ("demo", "crm", "a\u{0}b"), ("demo", "crm", "t.u"), ("demo", "crm", "t`x"),
        ("demo", "crm", "t$"), ("demo", "", "t"), ("demo", "my dataset", "t"), ("demo", "crm/x", "t"), ("demo", "dé", "t"),
        ("", "d", "t"), ("Demo", "d", "t"), ("demo/x", "d", "t"), ("1demo", "d", "t"), ("demo-", "d", "t"),
        (":demo", "d", "t"), ("demo?x=", "d", "t"), (String(repeating: "a", count: 31), "d", "t"),
        ("demo", String(repeating: "d", count: 1025), "t"), ("demo", "d", String(repeating: "t", count: 1025)),
    ])
    func invalidIDs(_ ids: (String, String, String)) {
        do {
            _ = try TableReference(checking: ids.0, dataset: ids.1, table: ids.2)
            Issue.record("accepted \(ids)")
        } catch {
            #expect(error.message.contains("is not a valid BigQuery"), "\(error)")
            #expect(error.message.contains("nothing was sent"), "\(error)")
        }
    }

    @Test("a control character is shown escaped in the message")
    func controlCharacterShown() {
        #expect(throws: DocumentError.self) { try TableReference.checkTable("a\nb") }
        do { try TableReference.checkTable("a\nb") } catch {
            #expect(error.message == "'a\\u{a}b' is not a valid BigQuery table id; nothing was sent for this document")
        }
    }

    @Test("every path segment is percent-encoded, non-ASCII included")
    func segmentsAreEncoded() {
        #expect(BigQueryREST.segment("crm/tables/users?x=") == "crm%2Ftables%2Fusers%3Fx%3D")
        #expect(BigQueryREST.segment("a#b%c d") == "a%23b%25c%20d")
        #expect(BigQueryREST.segment("..") == "..")
        #expect(BigQueryREST.segment("étudiant-01") == "%C3%A9tudiant-01")
        #expect(BigQueryREST.segment("Az09-._~") == "Az09-._~")
    }

    @Test("a hostile {table} fails its document only, and no request path carries it")
    func hostileTableInStreamingInsert() async throws {
        let client = RecordingClient()
        let op = try insert([("datasetId", "{process:dataset}"), ("tableId", "{table}")], client: client)
        let hostile = "crm/tables/users?x="
        let documents = [
            Document(data: Array(#"{"id":1}"#.utf8), properties: ["table": "orders"], index: 0),
            Document(data: Array(#"{"id":2}"#.utf8), properties: ["table": hostile], index: 1),
            Document(data: Array(#"{"id":3}"#.utf8), properties: ["table": ""], index: 2),
            Document(data: Array(#"{"id":4}"#.utf8), properties: ["table": "orders"], index: 3),
        ]
        let outcome = try await op.execute(documents, context: context)
        let messages = Dictionary(uniqueKeysWithValues: outcome.failures.map { ($0.document.index, $0.message) })
        #expect(messages.keys.sorted() == [1, 2], "\(outcome.failures)")
        #expect(messages[1]?.contains("'\(hostile)' is not a valid BigQuery table id") == true, "\(messages)")
        #expect(messages[2]?.contains("'' is not a valid BigQuery table id") == true, "\(messages)")
        #expect(client.requests.map(\.url) == ["http://bq.test/bigquery/v2/projects/demo/datasets/sales/tables/orders/insertAll"])
    }
}
