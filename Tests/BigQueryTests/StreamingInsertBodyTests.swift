@testable import BigQuery
import DocumentMapping
import Foundation
import ProcessEngine
import Testing

/// Request bodies written straight from the documents' bytes, compared with bodies built the way
/// the earlier path built them: a row assembled on its own, then appended.
@Suite("streaming insert request bodies")
struct StreamingInsertBodyTests {
    /// The earlier way: each row assembled in its own array (`{`, the id, `"json":`, the bytes, `}`).
    static func referenceRequests(header: [UInt8], limit: Int, positions: [Int], documents: [Document],
                                  ids: [String?]) -> [(positions: [Int], body: [UInt8])] {
        var requests: [(positions: [Int], body: [UInt8])] = []
        var body = header
        var current: [Int] = []
        for position in positions {
            var row: [UInt8] = Array("{".utf8)
            if let id = ids[position] {
                row += Array(#""insertId":"#.utf8) + JSONValue.string(id).serialized() + Array(",".utf8)
            }
            row += Array(#""json":"#.utf8) + documents[position].data + Array("}".utf8)
            let wouldExceed = body.count + row.count + 3 > StreamingInsertSettings.maxRequestBytes
            if !current.isEmpty, current.count >= limit || wouldExceed {
                body += Array("]}".utf8)
                requests.append((current, body))
                body = header
                current = []
            }
            if !current.isEmpty { body.append(UInt8(ascii: ",")) }
            body += row
            current.append(position)
        }
        if !current.isEmpty {
            body += Array("]}".utf8)
            requests.append((current, body))
        }
        return requests
    }

    static let hostile = ["", "\"", "\\", "\u{0}", "\u{1f}", "\n\t", "é", "日本", "😀", "</script>", "a\"b\\c", "\u{2028}"]

    static func text(_ random: inout SystemRandomNumberGenerator, _ length: Int) -> String {
        (0..<length).map { _ in hostile.randomElement(using: &random) ?? "x" }.joined()
            + String(repeating: "z", count: Int.random(in: 0...3, using: &random))
    }

    static func documents(_ count: Int, _ random: inout SystemRandomNumberGenerator, large: Bool) -> [Document] {
        (0..<count).map { position in
            let size = large ? Int.random(in: 0...3_000_000, using: &random) : Int.random(in: 0...40, using: &random)
            let value = JSONValue.string(text(&random, Int.random(in: 0...6, using: &random)) + String(repeating: "p", count: size))
            var object = JSONObject()
            object["n"] = .string(String(position))
            object["v"] = value
            let index = [position, Int.random(in: -5...Int.max, using: &random), Int.min, Int.max, 0, 9, 10, 99, 100]
                .randomElement(using: &random) ?? position
            return Document(data: JSONValue.object(object).serialized(), index: index)
        }
    }

    func settings(_ children: [(String, String)], attributes: [String: [String: String]] = [:]) throws -> StreamingInsertSettings {
        try StreamingInsertSettings.parse(operation(children, attributes: attributes), defaultProject: "demo").get()
    }

    @Test("generated, path and absent insert ids, hostile values and request limits: byte-identical bodies")
    func differential() throws {
        var random = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let large = round % 100 == 0
            let documents = Self.documents(large ? 10 : Int.random(in: 1...60, using: &random), &random, large: large)
            let batch = Int.random(in: 1...20, using: &random)
            let suffix: String? = Bool.random(using: &random) ? Self.text(&random, 3) : nil
            let executionID = Self.text(&random, Int.random(in: 0...5, using: &random))
            let kind = round % 3
            var children = [("datasetId", "d"), ("tableId", "t"), ("batchCount", String(batch)),
                            ("skipInvalidRows", Bool.random(using: &random) ? "true" : "false")]
            var attributes: [String: [String: String]] = [:]
            if kind == 1 {
                children.append(("insertId", ""))
                attributes["insertId"] = ["generate": "false"]
            }
            let operation = StreamingInsertOperation(settings: try settings(children, attributes: attributes),
                                                     rest: BigQueryREST(http: RecordingClient(), rootURL: "http://bq.test"))
            let referenceIDs: [String?]
            let ids: StreamingInsertOperation.RowIDs
            switch kind {
            case 0:
                referenceIDs = documents.map { "\(executionID)-\($0.index)" }
                ids = .generated(PrefixedPropertyName("bigquery.insertId", prefix: "\(executionID)-"))
            case 1:
                referenceIDs = documents.map { _ in nil }
                ids = .none
            default:
                referenceIDs = documents.map { _ in Bool.random(using: &random) ? Self.text(&random, 4) : nil }
                ids = .values(referenceIDs)
            }
            var positions = Array(documents.indices).filter { _ in Int.random(in: 0..<10, using: &random) > 0 }
            if positions.isEmpty { positions = [0] }
            let destination = StreamingInsertOperation.Destination(project: "p", dataset: "d", table: "t", suffix: suffix)
            let requests = operation.makeRequests(destination, positions: positions, documents: documents, ids: ids)
            // The reference's header: the same settings, written as the earlier path wrote them.
            var header: [UInt8] = Array(#"{"kind":"bigquery#tableDataInsertAllRequest","skipInvalidRows":"#.utf8)
            header += Array((operation.settings.skipInvalidRows ? "true" : "false").utf8)
            header += Array(#","ignoreUnknownValues":"#.utf8) + Array((operation.settings.ignoreUnknownValues ? "true" : "false").utf8)
            if let suffix { header += Array(#","templateSuffix":"#.utf8) + JSONValue.string(suffix).serialized() }
            header += Array(#","rows":["#.utf8)
            let expected = Self.referenceRequests(header: header, limit: min(batch, StreamingInsertSettings.maxRowsPerRequest),
                                                  positions: positions, documents: documents, ids: referenceIDs)
            #expect(requests.map(\.positions) == expected.map(\.positions), "round \(round)")
            #expect(requests.map(\.body) == expected.map(\.body), "round \(round): bodies differ")
            #expect(requests.allSatisfy { (try? JSONParser.parse($0.body)) != nil }, "round \(round): a body is not JSON")
        }
    }

    @Test("outputs carry the destination and the generated insert id, read one by one or as the whole dictionary")
    func outputProperties() async throws {
        let client = RecordingClient()
        let op = try insert([("datasetId", "d"), ("tableId", "{table}")], client: client)
        var documents = rows(6)
        documents[3].properties["bigquery.insertId"] = "stale"
        let outcome = try await op.execute(documents, context: context)
        #expect(outcome.failures.isEmpty)
        for output in outcome.outputs {
            let table = "t\(output.index % 2)"
            #expect(output.properties == ["table": table, "bigquery.projectId": "demo", "bigquery.datasetId": "d",
                                          "bigquery.tableId": table, "bigquery.insertId": "ex-1-\(output.index)"])
            #expect(output.property("bigquery.insertId") == "ex-1-\(output.index)")
        }
        // A later shape changing the properties keeps the id.
        var changed = try #require(outcome.outputs.last)
        changed.properties["other"] = "x"
        #expect(changed.properties["bigquery.insertId"] == "ex-1-5")
        changed.properties["bigquery.insertId"] = "replaced"
        #expect(changed.property("bigquery.insertId") == "replaced")
    }
}
