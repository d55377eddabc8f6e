@testable import BigQuery
import DocumentMapping
import HTTPTransport
import ProcessEngine
import Testing

/// Streaming insert takes a batch handed over (`executeInPlace`): the outcome and the requests are
/// the ones a copy of the batch gives (`execute`), whatever fails where.
@Suite("streaming insert handed a batch")
struct StreamingInsertInPlaceTests {
    /// Rows 0..<count: some not JSON objects, some without the routing property, ids from a path on most.
    static func batch(_ count: Int) -> [Document] {
        (0..<count).map { index in
            let data: String = switch index % 11 {
            case 4: "[1,2]"
            case 9: "not json"
            default: #"{"id":\#(index),"key":"k\#(index)","pad":"\#(String(repeating: "é", count: index % 5))"}"#
            }
            let properties = index % 13 == 6 ? [:] : ["table": "t\(index % 3)"]
            return Document(data: Array(data.utf8), properties: properties, index: 100 + index)
        }
    }

    /// Answers by content, so that the order requests are sent in does not matter: a request with
    /// row id 7 fails as a whole (HTTP 500); any other rejects its second row.
    static func client() -> RecordingClient {
        RecordingClient { request, _ in
            let body = String(decoding: request.body, as: UTF8.self)
            if body.contains(#""id":7,"#) {
                return HTTPResponse(status: 500, body: Array(#"{"error":{"code":500,"message":"backend error"}}"#.utf8))
            }
            return HTTPResponse(status: 200, body: Array(
                #"{"insertErrors":[{"index":1,"errors":[{"reason":"invalid","message":"bad row"}]}]}"#.utf8))
        }
    }

    @Test("every id setting, routing and error kind: the same outputs, failures, application errors and requests",
          arguments: [false, true], [0, 1, 2])
    func handedOverEqualsCopied(returnErrors: Bool, ids: Int) async throws {
        var children = [("datasetId", "d"), ("tableId", ids == 1 ? "fixed" : "{table}"), ("batchCount", "4"),
                        ("returnApplicationErrors", returnErrors ? "true" : "false")]
        var attributes: [String: [String: String]] = [:]
        switch ids {
        case 1:
            children.append(("insertId", ""))
            attributes["insertId"] = ["generate": "false"]
        case 2:
            children.append(("insertId", ""))
            attributes["insertId"] = ["path": "/key"]
        default:
            break
        }
        let copiedClient = Self.client()
        let copied = try await insert(children, client: copiedClient, attributes: attributes)
            .execute(Self.batch(40), context: context)
        let handedClient = Self.client()
        var batch = Self.batch(40)
        let handed = try await insert(children, client: handedClient, attributes: attributes)
            .executeInPlace(&batch, context: context)

        #expect(!copied.outputs.isEmpty && returnErrors == copied.failures.isEmpty)
        #expect(handed.outputs.map(\.index) == copied.outputs.map(\.index))
        #expect(handed.outputs.map(\.data) == copied.outputs.map(\.data))
        #expect(handed.outputs.map(\.properties) == copied.outputs.map(\.properties))
        #expect(handed.failures.map(\.document.index) == copied.failures.map(\.document.index))
        #expect(handed.failures.map(\.message) == copied.failures.map(\.message))
        #expect(handed.failures.map(\.code) == copied.failures.map(\.code))
        #expect(handed.failures.map(\.document.data) == copied.failures.map(\.document.data))
        #expect(handed.applicationErrors == copied.applicationErrors)
        #expect(returnErrors == (copied.applicationErrors > 0))
        func sent(_ client: RecordingClient) -> [String] {
            client.requests.map { $0.url + " " + String(decoding: $0.body, as: UTF8.self) }.sorted()
        }
        #expect(sent(handedClient) == sent(copiedClient))
        #expect(handedClient.requests.count > 3)
    }
}
