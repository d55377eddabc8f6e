import DocumentMapping
import Foundation
import ProcessEngine
import Testing

/// `streaming-insert` against a recording server answering as BigQuery documents `insertAll`,
/// where the local emulator answers differently.
@Suite("streaming-insert requests and BigQuery's documented answers")
struct RecordedInsertAllTests {
    static let insertAllPath = "/bigquery/v2/projects/demo/datasets/sales/tables/orders/insertAll"

    static func rows() -> [Document] {
        [#"{"order_id":"A-1","amount":10.5}"#, #"{"order_id":"A-2","amount":"abc"}"#, #"{"order_id":"A-3","amount":7}"#]
            .enumerated().map { Document(data: Array($0.element.utf8), properties: ["day": "20261120"], index: $0.offset) }
    }

    static let settings = [("datasetId", "sales"), ("tableId", "orders"), ("templateSuffix", "_{day}")]

    /// What BigQuery answers for one invalid row when `skipInvalidRows` is false: 200, the bad row
    /// `invalid`, every other row `stopped` (nothing is written).
    static var rejectedRequest: [String: Any] { json(["kind": "bigquery#tableDataInsertAllResponse", "insertErrors": [
        ["index": 0, "errors": [["reason": "stopped", "location": "", "debugInfo": "", "message": ""]]],
        ["index": 1, "errors": [["reason": "invalid", "location": "amount", "debugInfo": "",
                                 "message": "Cannot convert value to floating point (bad value): abc"]]],
        ["index": 2, "errors": [["reason": "stopped", "location": "", "debugInfo": "", "message": ""]]],
    ]]) }

    static let invalidMessage = "row rejected by BigQuery: invalid at amount: Cannot convert value to floating point (bad value): abc"
    static let stoppedMessage = "row rejected by BigQuery: stopped: another row in the same request was invalid (skipInvalidRows is false)"

    @Test("the request: method, path, bearer token, JSON body with insert ids and the template suffix")
    func exactRequest() async throws {
        let server = try await RecordingServer([.init(method: "POST", path: Self.insertAllPath, responses: [Self.rejectedRequest])])
        defer { server.stop() }
        let operation = try await server.operation("streaming-insert", Self.settings)
        _ = try await operation.execute(Self.rows(), context: jobContext)

        let all = try await server.allRequests()
        #expect(all.map(\.line) == ["POST /token", "POST \(Self.insertAllPath)"])
        let token = all[0]
        #expect(token.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(token.body.contains("grant_type=refresh_token"))
        #expect(token.body.contains("refresh_token=rt-1"))
        let insert = all[1]
        #expect(insert.query.isEmpty)
        #expect(insert.headers["authorization"] == "Bearer \(RecordingServer.accessToken)")
        #expect(insert.headers["content-type"] == "application/json")
        let body = try insert.json()
        #expect(body["kind"] as? String == "bigquery#tableDataInsertAllRequest")
        #expect(body["skipInvalidRows"] as? Bool == false)
        #expect(body["ignoreUnknownValues"] as? Bool == false)
        #expect(body["templateSuffix"] as? String == "_20261120")
        let rows = try #require(body["rows"] as? [[String: Any]])
        #expect(rows.map { $0["insertId"] as? String } == ["ex-7-0", "ex-7-1", "ex-7-2"])
        #expect(rows.map { ($0["json"] as? [String: Any])?["order_id"] as? String } == ["A-1", "A-2", "A-3"])
        #expect(insert.body.contains(#""json":{"order_id":"A-2","amount":"abc"}"#), "rows are sent byte for byte")
    }

    @Test("skipInvalidRows false: the invalid row fails with its reason, the stopped rows fail as stopped")
    func invalidAndStoppedRows() async throws {
        let server = try await RecordingServer([.init(method: "POST", path: Self.insertAllPath, responses: [Self.rejectedRequest])])
        defer { server.stop() }
        let operation = try await server.operation("streaming-insert", Self.settings)
        let outcome = try await operation.execute(Self.rows(), context: jobContext)
        #expect(outcome.outputs.isEmpty)
        let messages = Dictionary(uniqueKeysWithValues: outcome.failures.map { ($0.document.index, $0.message) })
        #expect(messages == [0: Self.stoppedMessage, 1: Self.invalidMessage, 2: Self.stoppedMessage])
        #expect(try await server.requests().count == 1, "stopped rows are reported, not re-sent")
    }

    @Test("skipInvalidRows false with returnApplicationErrors: every rejected row continues as an error document")
    func rejectedRowsAsApplicationErrors() async throws {
        let server = try await RecordingServer([.init(method: "POST", path: Self.insertAllPath, responses: [Self.rejectedRequest])])
        defer { server.stop() }
        let operation = try await server.operation("streaming-insert", Self.settings + [("returnApplicationErrors", "true")])
        let outcome = try await operation.execute(Self.rows(), context: jobContext)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.applicationErrors == 3)
        let second = try object(outcome.outputs[1].text)
        #expect((second["error"] as? [String: Any])?["message"] as? String == Self.invalidMessage)
        #expect((second["row"] as? [String: Any])?["order_id"] as? String == "A-2")
        #expect(outcome.outputs[1].properties[Document.applicationErrorProperty] == Self.invalidMessage)
        #expect(outcome.outputs[0].properties[Document.applicationErrorProperty] == Self.stoppedMessage)
    }

    @Test("skipInvalidRows true: BigQuery names only the invalid row; the others are written and continue")
    func skipInvalidRows() async throws {
        let answer = json(["kind": "bigquery#tableDataInsertAllResponse", "insertErrors": [
            ["index": 1, "errors": [["reason": "invalid", "location": "amount",
                                     "message": "Cannot convert value to floating point (bad value): abc"]]],
        ]])
        let server = try await RecordingServer([.init(method: "POST", path: Self.insertAllPath, responses: [answer])])
        defer { server.stop() }
        let operation = try await server.operation("streaming-insert", Self.settings + [("skipInvalidRows", "true")])
        let outcome = try await operation.execute(Self.rows(), context: jobContext)
        #expect(outcome.outputs.map(\.index) == [0, 2])
        #expect(outcome.outputs.map { $0.properties["bigquery.insertId"] } == ["ex-7-0", "ex-7-2"])
        #expect(outcome.failures.map(\.message) == [Self.invalidMessage])
        #expect(try await server.requests()[0].json()["skipInvalidRows"] as? Bool == true)
    }

    @Test("a retried request carries the same insert ids, so BigQuery can drop the rows it already has")
    func retryKeepsInsertIDs() async throws {
        let server = try await RecordingServer([.init(method: "POST", path: Self.insertAllPath, responses: [
            json(["error": ["code": 503, "message": "Backend error", "status": "UNAVAILABLE",
                            "errors": [["reason": "backendError", "message": "Backend error"]]]], status: 503),
            json(["kind": "bigquery#tableDataInsertAllResponse"]),
        ])])
        defer { server.stop() }
        let operation = try await server.operation("streaming-insert", Self.settings, retry: ["maxAttempts": "3"])
        let rows = [Self.rows()[0], Self.rows()[2]]
        let outcome = try await operation.execute(rows, context: jobContext)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.outputs.count == 2)
        let requests = try await server.requests()
        #expect(requests.count == 2)
        #expect(requests.first?.body == requests.last?.body, "the retry repeats the request byte for byte")
        let ids = try #require(try requests[1].json()["rows"] as? [[String: Any]]).map { $0["insertId"] as? String }
        #expect(ids == ["ex-7-0", "ex-7-2"])
    }

    @Test("an API error fails every row of the request with the status, reason and message")
    func apiError() async throws {
        let server = try await RecordingServer([.init(method: "POST", path: Self.insertAllPath, responses: [
            json(["error": ["code": 404, "message": "Not found: Table demo:sales.orders", "status": "NOT_FOUND",
                            "errors": [["reason": "notFound", "message": "Not found: Table demo:sales.orders"]]]], status: 404),
        ])])
        defer { server.stop() }
        let operation = try await server.operation("streaming-insert", Self.settings)
        let outcome = try await operation.execute(Self.rows(), context: jobContext)
        #expect(outcome.failures.count == 3)
        #expect(Set(outcome.failures.map(\.message))
            == ["BigQuery insertAll demo.sales.orders: HTTP 404 notFound: Not found: Table demo:sales.orders"])
    }
}
