@testable import BigQuery
import DocumentMapping
import Foundation
import HTTPTransport
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

private let here = SourceLocation(file: "connectors/op.xml", line: 3, column: 5)

/// An HTTP client that records requests and answers from a script.
final class RecordingClient: HTTPClient {
    private let state = Mutex<[HTTPRequest]>([])
    let answer: @Sendable (HTTPRequest, Int) -> HTTPResponse

    init(answer: @escaping @Sendable (HTTPRequest, Int) -> HTTPResponse = { _, _ in HTTPResponse(status: 200, body: Array("{}".utf8)) }) {
        self.answer = answer
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let number = state.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return answer(request, number)
    }

    var requests: [HTTPRequest] { state.withLock { $0 } }
}

func settingsElement(_ children: [(String, String)], attributes: [String: [String: String]] = [:]) -> SettingsElement {
    SettingsElement(name: "operation", children: children.map { name, text in
        SettingsElement(name: name, attributes: attributes[name] ?? [:], text: text, location: here)
    }, location: here)
}

func operation(_ children: [(String, String)], attributes: [String: [String: String]] = [:]) -> OperationDefinition {
    OperationDefinition(id: "insert-orders", type: "google-bigquery", action: "streaming-insert",
                        settings: settingsElement(children, attributes: attributes), location: here)
}

func insert(_ children: [(String, String)], client: RecordingClient,
            attributes: [String: [String: String]] = [:]) throws -> StreamingInsertOperation {
    let settings = try StreamingInsertSettings.parse(operation(children, attributes: attributes), defaultProject: "demo").get()
    return StreamingInsertOperation(settings: settings, rest: BigQueryREST(http: client, rootURL: "http://bq.test"))
}

func rows(_ count: Int, padding: Int = 0) -> [Document] {
    (0..<count).map { index in
        let pad = String(repeating: "x", count: padding)
        return Document(data: Array(#"{"id":\#(index),"pad":"\#(pad)"}"#.utf8), properties: ["table": "t\(index % 2)"], index: index)
    }
}

let context = OperationContext(
    execution: ExecutionInfo(id: "ex-1", processID: "p", processName: "P", startTime: Date(), trigger: .manual),
    shapeID: "insert", processProperties: ["dataset": "sales"], environment: [:])

@Suite("streaming insert")
struct StreamingInsertTests {
    @Test("rows are batched by batchCount and sent to insertAll with stable insert ids")
    func batching() async throws {
        let client = RecordingClient()
        let op = try insert([("datasetId", "{process:dataset}"), ("tableId", "orders"), ("batchCount", "2")], client: client)
        let outcome = try await op.execute(rows(5), context: context)
        #expect(outcome.outputs.count == 5)
        #expect(outcome.failures.isEmpty)
        let requests = client.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.method == "POST" && $0.url == "http://bq.test/bigquery/v2/projects/demo/datasets/sales/tables/orders/insertAll" })
        let body = try JSONParser.parse(requests.sorted { $0.body.count < $1.body.count }.last?.body ?? [])
        guard case .object(let root) = body, case .array(let sent)? = root["rows"] else {
            Issue.record("no rows in \(body)")
            return
        }
        #expect(sent.count == 2)
        #expect(root["skipInvalidRows"] == .bool(false))
        let ids = client.requests.flatMap { request -> [String] in
            guard case .object(let root)? = try? JSONParser.parse(request.body), case .array(let rows)? = root["rows"] else { return [] }
            return rows.compactMap { $0[key: "insertId"]?.textValue }
        }
        #expect(Set(ids) == Set((0..<5).map { "ex-1-\($0)" }))
        #expect(outcome.outputs.first?.properties["bigquery.tableId"] == "orders")
    }

    @Test("requests stay under 9 MB and a row over 10 MB fails alone")
    func sizeLimits() async throws {
        let client = RecordingClient()
        let op = try insert([("datasetId", "d"), ("tableId", "t"), ("batchCount", "10000")], client: client)
        let big = rows(20, padding: 1_000_000)
        var documents = big
        documents.append(Document(data: Array(#"{"huge":"\#(String(repeating: "y", count: 10 * 1024 * 1024 + 1))"}"#.utf8), index: 20))
        let outcome = try await op.execute(documents, context: context)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.document.index == 20)
        #expect(outcome.failures.first?.message.contains("10 MB") == true)
        #expect(client.requests.count >= 3)
        #expect(client.requests.allSatisfy { $0.body.count <= 9 * 1024 * 1024 })
        #expect(outcome.outputs.count == 20)
    }

    @Test("tables come from document properties: one request per destination")
    func routing() async throws {
        let client = RecordingClient()
        let op = try insert([("datasetId", "d"), ("tableId", "{table}"), ("templateSuffix", "_x")], client: client)
        let outcome = try await op.execute(rows(4), context: context)
        #expect(outcome.outputs.count == 4)
        #expect(Set(client.requests.map(\.url)) == [
            "http://bq.test/bigquery/v2/projects/demo/datasets/d/tables/t0/insertAll",
            "http://bq.test/bigquery/v2/projects/demo/datasets/d/tables/t1/insertAll",
        ])
        #expect(client.requests.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains(#""templateSuffix":"_x""#) })

        var missing = rows(1)[0]
        missing.properties = [:]
        let failed = try await op.execute([missing], context: context)
        #expect(failed.failures.first?.message.contains("document property 'table' is not set") == true)
    }

    @Test("per-row insertErrors fail exactly the rows that caused them")
    func rowErrors() async throws {
        let client = RecordingClient { _, _ in
            HTTPResponse(status: 200, body: Array(#"{"kind":"bigquery#tableDataInsertAllResponse","insertErrors":[{"index":1,"errors":[{"reason":"invalid","location":"qty","message":"Cannot convert value to integer"}]}]}"#.utf8))
        }
        let op = try insert([("datasetId", "d"), ("tableId", "t"), ("skipInvalidRows", "true")], client: client)
        let outcome = try await op.execute(rows(3), context: context)
        #expect(outcome.outputs.map(\.index) == [0, 2])
        #expect(outcome.failures.map(\.document.index) == [1])
        #expect(outcome.failures.first?.message == "row rejected by BigQuery: invalid at qty: Cannot convert value to integer")
    }

    @Test("an API error fails the request's rows with status, reason and message")
    func apiError() async throws {
        let client = RecordingClient { _, _ in
            HTTPResponse(status: 404, body: Array(#"{"error":{"code":404,"message":"Not found: Table demo:d.t","errors":[{"reason":"notFound","message":"Not found: Table demo:d.t"}],"status":"NOT_FOUND"}}"#.utf8))
        }
        let op = try insert([("datasetId", "d"), ("tableId", "t")], client: client)
        let outcome = try await op.execute(rows(2), context: context)
        #expect(outcome.outputs.isEmpty)
        #expect(outcome.failures.count == 2)
        #expect(outcome.failures.first?.message == "BigQuery insertAll demo.d.t: HTTP 404 notFound: Not found: Table demo:d.t")
    }

    @Test("returnApplicationErrors hands the error on as a document instead of failing it")
    func applicationErrors() async throws {
        let client = RecordingClient { _, _ in
            HTTPResponse(status: 200, body: Array(#"{"insertErrors":[{"index":0,"errors":[{"reason":"invalid","message":"bad"}]}]}"#.utf8))
        }
        let op = try insert([("datasetId", "d"), ("tableId", "t"), ("returnApplicationErrors", "true")], client: client)
        let outcome = try await op.execute(rows(2), context: context)
        #expect(outcome.failures.isEmpty)
        #expect(outcome.applicationErrors == 1)
        #expect(outcome.outputs.count == 2)
        let error = try #require(outcome.outputs.first { $0.isApplicationError })
        let body = try JSONParser.parse(error.data)
        #expect(body[key: "error"]?[key: "message"]?.textValue?.contains("bad") == true)
        #expect(body[key: "row"]?[key: "id"] == .number("0"))
    }

    @Test("insertId from a path, and a document without it fails alone")
    func insertIDFromPath() async throws {
        let client = RecordingClient()
        let op = try insert([("datasetId", "d"), ("tableId", "t"), ("insertId", "")], client: client,
                            attributes: ["insertId": ["path": "/id"]])
        var documents = rows(2)
        documents.append(Document(data: Array(#"{"other":1}"#.utf8), index: 2))
        documents.append(Document(data: Array("[1,2]".utf8), index: 3))
        let outcome = try await op.execute(documents, context: context)
        #expect(outcome.outputs.map { $0.properties["bigquery.insertId"] } == ["0", "1"])
        #expect(outcome.failures.map(\.document.index) == [2, 3])
        #expect(outcome.failures[0].message.contains("insertId path /id"))
        #expect(outcome.failures[1].message.contains("JSON object"))
    }

    @Test("bad settings are reported with their location")
    func settingsProblems() throws {
        let bad = operation([("tableId", "t"), ("batchCount", "20000"), ("api", "bulk"), ("skipInvalidRows", "yes")])
        guard case .failure(let problems) = StreamingInsertSettings.parse(bad, defaultProject: "demo") else {
            Issue.record("settings should be refused")
            return
        }
        let messages = problems.diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("connectors/op.xml:3:5: error:") && $0.contains("<datasetId>") })
        #expect(messages.contains { $0.contains("batchCount") && $0.contains("10000") })
        #expect(messages.contains { $0.contains("<api>bulk</api>") && $0.contains("storage-write") })
        #expect(messages.contains { $0.contains("skipInvalidRows") })
    }

    @Test("storage-write settings: delivery, its default batch size, and what it refuses")
    func storageWriteSettings() throws {
        let good = operation([("datasetId", "d"), ("tableId", "t"), ("api", "storage-write"), ("delivery", "exactly-once")])
        let settings = try StreamingInsertSettings.parse(good, defaultProject: "demo").get()
        #expect(settings.api == .storageWrite)
        #expect(settings.delivery == .exactlyOnce)
        #expect(settings.batchCount == 10_000)
        let bad = operation([("datasetId", "d"), ("tableId", "t"), ("delivery", "twice"), ("templateSuffix", "_x")])
        guard case .failure(let problems) = StreamingInsertSettings.parse(bad, defaultProject: "demo") else {
            Issue.record("settings should be refused")
            return
        }
        let messages = problems.diagnostics.map(\.description)
        #expect(messages.contains { $0.contains("<delivery>twice</delivery> is not known") })
        #expect(messages.contains { $0.contains("<delivery> needs <api>storage-write</api>") })
        let suffix = operation([("datasetId", "d"), ("tableId", "t"), ("api", "storage-write"), ("templateSuffix", "_x")])
        guard case .failure(let suffixProblems) = StreamingInsertSettings.parse(suffix, defaultProject: "demo") else {
            Issue.record("templateSuffix should be refused with storage-write")
            return
        }
        #expect(suffixProblems.description.contains("templateSuffix"))
    }
}

@Suite("streaming insert rows as sent")
struct StreamingInsertRowTests {
    @Test("a plain JSON object goes as its own bytes; XML or a byte order mark go as the object read from them; anything else fails alone")
    func rowsAreSentAsValidJSON() async throws {
        let client = RecordingClient()
        let op = try insert([("datasetId", "d"), ("tableId", "t"), ("insertId", "")], client: client,
                            attributes: ["insertId": ["generate": "false"]])
        let plain = #"{ "id" : 1, "note":"k\u00e9p" }"#
        let documents = [
            Document(data: Array(plain.utf8), index: 0),
            Document(data: Array("<order><id>2</id></order>".utf8), index: 1),
            Document(data: [0xEF, 0xBB, 0xBF] + Array(#"{"id":3}"#.utf8), index: 2),
            Document(data: Array(#"{"id":4,}"#.utf8), index: 3),
            Document(data: Array("[5]".utf8), index: 4),
        ]
        let outcome = try await op.execute(documents, context: context)
        #expect(outcome.failures.map(\.document.index).sorted() == [3, 4])
        #expect(outcome.failures.first { $0.document.index == 3 }?.message.contains("not valid JSON") == true)
        let body = try #require(client.requests.first?.body)
        // The whole body is valid JSON, and the plain row is in it byte for byte.
        guard case .object(let root) = try JSONParser.parse(body), case .array(let rows)? = root["rows"] else {
            Issue.record("no rows in \(String(decoding: body, as: UTF8.self))")
            return
        }
        #expect(rows.count == 3)
        #expect(String(decoding: body, as: UTF8.self).contains(#"{"json":\#(plain)}"#))
        #expect(rows[1][key: "json"] == (try Document.parse(Array("<order><id>2</id></order>".utf8), index: 1)), "\(rows[1])")
        #expect(rows[2][key: "json"]?[key: "id"] == .number("3"), "\(rows[2])")
    }
}
