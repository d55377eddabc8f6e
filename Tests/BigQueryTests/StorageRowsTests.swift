@testable import BigQuery
import DocumentMapping
import ProcessEngine
import Testing

/// ``StorageRows``: a group's rows as positions of the batch's documents, or built values, read
/// through the batch they were made from.
@Suite struct StorageRowsTests {
    static let documents = (0..<5).map { Document(data: Array("{\"id\":\($0)}".utf8), properties: [:]) }

    static func texts(_ rows: StorageRows) -> [String] {
        rows.rows(of: documents).map { String(decoding: $0.text, as: UTF8.self) }
    }

    @Test func everyDocumentOfTheBatchInOrder() {
        let rows = StorageRows(allOf: Self.documents.count)
        #expect(rows.count == 5)
        #expect(rows.indices == 0..<5)
        #expect((0..<5).map { rows.documentPosition($0) } == [0, 1, 2, 3, 4])
        #expect(Self.texts(rows) == (0..<5).map { "{\"id\":\($0)}" })
        #expect(Self.texts(rows.suffix(from: 3)) == ["{\"id\":3}", "{\"id\":4}"])
        #expect(rows.suffix(from: 5).count == 0)
    }

    @Test func pickedDocumentsAndBuiltValuesKeepTheirOrder() throws {
        var rows = StorageRows()
        rows.append(document: 3)
        rows.append(value: try JSONParser.parse("{\"id\":99}"))
        rows.append(document: 1)
        #expect(rows.count == 3)
        #expect([0, 1, 2].map { rows.documentPosition($0) } == [3, nil, 1])
        #expect(try rows.row(0, of: Self.documents).json() == JSONParser.parse("{\"id\":3}"))
        #expect(try rows.row(1, of: Self.documents).json() == JSONParser.parse("{\"id\":99}"))
        #expect(rows.row(1, of: Self.documents).text.isEmpty)
        #expect(try rows.row(2, of: Self.documents).json() == JSONParser.parse("{\"id\":1}"))
        let rest = rows.suffix(from: 1)
        #expect([0, 1].map { rest.documentPosition($0) } == [nil, 1])
    }

    /// A batch of all its documents that then gets one more row picks every earlier one explicitly.
    @Test func appendingToAWholeBatchKeepsItsRows() {
        var rows = StorageRows(allOf: 2)
        rows.append(document: 4)
        rows.append(value: .string("x"))
        #expect(rows.count == 4)
        #expect((0..<4).map { rows.documentPosition($0) } == [0, 1, 4, nil])
    }

    @Test func valuesOnly() throws {
        var rows = StorageRows()
        rows.append(value: .string("a"))
        rows.append(value: .string("b"))
        #expect(rows.count == 2)
        #expect(rows.documentPosition(0) == nil && rows.documentPosition(1) == nil)
        #expect(try rows.rows(of: []).map { try $0.json() } == [.string("a"), .string("b")])
    }
}
