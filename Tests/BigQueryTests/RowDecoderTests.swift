@testable import BigQuery
import DocumentMapping
import Testing

@Suite("query result rows")
struct RowDecoderTests {
    static func decodedRows() throws -> [JSONValue] {
        let page = try QueryResultsPage.parse(QueryResultsFixture.page())
        let fields = try #require(page.fields)
        return try RowDecoder(fields: fields).decode(rows: page.rows)
    }

    /// (row, field, expected value as compact JSON)
    static let cases: [(Int, String, String)] = [
        (0, "id", "9223372036854775807"),
        (0, "price", "59.97"),
        (0, "amount", #""123456789.123456789""#),
        (0, "big", #""1234567890123456789012345678901234567.5""#),
        (0, "ok", "true"),
        (0, "name", #""Ada \"Countess\" Lovelace""#),
        (0, "raw", #""3q2+7w==""#),
        (0, "day", #""2026-11-20""#),
        (0, "at", #""2026-11-20T09:15:00.250000""#),
        (0, "clock", #""09:15:00.5""#),
        (0, "ts", #""2026-11-26T09:15:00.123456Z""#),
        (0, "doc", #"{"a":[1,2.5,null],"b":{"c":true}}"#),
        (0, "tags", #"["x","y"]"#),
        (0, "address", #"{"street":"1 Main St","geo":{"lat":51.5}}"#),
        (0, "lines", #"[{"sku":"BK-001","qty":2},{"sku":"MS-220","qty":-1}]"#),
        (1, "id", "2"),
        (1, "price", #""NaN""#),
        (1, "amount", "null"),
        (1, "ok", "false"),
        (1, "name", "null"),
        (1, "ts", #""2026-11-26T09:15:00Z""#),
        (1, "doc", "null"),
        (1, "tags", "[]"),
        (1, "address", "null"),
        (1, "lines", "[]"),
        (2, "id", "-3"),
        (2, "price", #""-Infinity""#),
        (2, "amount", #""0""#),
        (2, "big", #""-0.5""#),
        (2, "ok", "null"),
        (2, "name", #""""#),
        (2, "day", #""0001-01-01""#),
        (2, "ts", #""1969-12-31T23:59:59.999999Z""#),
        (2, "doc", #""text""#),
        (2, "tags", #"[""]"#),
        (2, "address", #"{"street":null,"geo":null}"#),
        (2, "lines", #"[{"sku":null,"qty":null}]"#),
    ]

    @Test("every BigQuery type is written as its JSON form", arguments: cases)
    func typedValue(row: Int, field: String, expected: String) throws {
        let rows = try Self.decodedRows()
        try #require(rows.count == 3)
        let value = try #require(rows[row][key: field], "row \(row) has no \(field)")
        #expect(value.jsonString == expected, "row \(row) field \(field)")
    }

    @Test("rows keep the schema's column order")
    func columnOrder() throws {
        let rows = try Self.decodedRows()
        let keys = try #require(rows.first?.objectValue?.keys)
        #expect(keys == ["id", "price", "amount", "big", "ok", "name", "raw", "day", "at", "clock", "ts", "doc",
                         "tags", "address", "lines"])
    }

    @Test("TIMESTAMP text converts exactly from microseconds and from epoch seconds",
          arguments: [
              ("0", "1970-01-01T00:00:00Z"),
              ("951825600000000", "2000-02-29T12:00:00Z"),
              ("-62135596800000000", "0001-01-01T00:00:00Z"),
              ("253402300799999999", "9999-12-31T23:59:59.999999Z"),
              ("1.795684500123456E9", "2026-11-26T09:15:00.123456Z"),
              ("1795684500.5", "2026-11-26T09:15:00.500000Z"),
              ("1.7E9", "2023-11-14T22:13:20Z"),
              ("-1.5", "1969-12-31T23:59:58.500000Z"),
          ])
    func timestamps(text: String, expected: String) {
        #expect(CellText.timestamp(text) == expected)
    }

    @Test("FLOAT64 text becomes a JSON number, or NaN/Infinity strings",
          arguments: [("1.5", "1.5"), ("1e+20", "1e+20"), ("nan", #""NaN""#), ("inf", #""Infinity""#),
                      ("-inf", #""-Infinity""#), ("Infinity", #""Infinity""#), ("+1.5", "1.5"), (".5", "0.5")])
    func floats(text: String, expected: String) {
        #expect(CellText.float(text).jsonString == expected)
    }

    @Test("NUMERIC exponent text is written in plain decimal form",
          arguments: [("0E-9", "0"), ("1.50E+2", "150"), ("-1.25E-3", "-0.00125"), ("12.5", "12.5"), ("-0E-9", "0"),
                      ("123456789.123456789", "123456789.123456789")])
    func numerics(text: String, expected: String) {
        #expect(CellText.plainDecimal(text) == expected)
    }

    @Test("a cell that does not match its type names the field")
    func badCell() throws {
        let fields = try #require(try ResultField.fields(ofSchema: try JSONParser.parse(
            #"{"fields":[{"name":"n","type":"INT64"}]}"#)))
        let rows = try JSONParser.parse(#"[{"f":[{"v":"12.5"}]}]"#).arrayValue ?? []
        #expect {
            _ = try RowDecoder(fields: fields).decode(rows: rows)
        } throws: { error in
            "\(error)".contains("field 'n'") && "\(error)".contains("'12.5' is not an INT64")
        }
    }
}
