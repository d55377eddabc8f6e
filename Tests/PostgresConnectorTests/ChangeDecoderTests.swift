import DocumentMapping
import ProcessEngine
import Testing
@testable import PostgresConnector

/// wal2json (format 2) rows into change documents, typed as `query` types the same values.
struct ChangeDecoderTests {
    static let begin = #"{"action":"B","xid":731,"timestamp":"2026-12-05 03:02:28.99916+00","lsn":"0/1","nextlsn":"0/2"}"#
    static let commit = #"{"action":"C","xid":731,"timestamp":"2026-12-05 03:02:28.99916+00","lsn":"0/1","nextlsn":"0/2"}"#

    @Test func insertCarriesTypedValuesAndEveryProperty() throws {
        var decoder = ChangeDecoder(keys: ["crm.c": ["id"]])
        #expect(try decoder.decode(lsn: "0/10", data: Self.begin).isEmpty)
        let row = #"{"action":"I","xid":731,"lsn":"0/5C5CB48","schema":"crm","table":"c","columns":["#
            + #"{"name":"id","type":"bigint","value":9007199254740993},"#
            + #"{"name":"n","type":"numeric(20,4)","value":12345678901234.5678},"#
            + #"{"name":"ts","type":"timestamp(3) with time zone","value":"2026-01-02 03:04:05.12+00"},"#
            + #"{"name":"local","type":"timestamp without time zone","value":"2026-01-02 03:04:05"},"#
            + #"{"name":"j","type":"jsonb","value":"{\"x\": [1, 2]}"},"#
            + #"{"name":"arr","type":"integer[]","value":"{{1,2},{3,NULL}}"},"#
            + #"{"name":"tags","type":"text[]","value":"{a,\"b c\",\"NULL\",NULL,\"q\\\"d\"}"},"#
            + #"{"name":"flags","type":"boolean[]","value":"{t,f}"},"#
            + #"{"name":"by","type":"bytea","value":"deadbeef"},"#
            + #"{"name":"nothing","type":"text","value":null}],"pk":[{"name":"id","type":"bigint"}]}"#
        let documents = try decoder.decode(lsn: "0/20", data: row)
        #expect(try decoder.decode(lsn: "0/30", data: Self.commit).isEmpty)
        let document = try #require(documents.first)
        #expect(documents.count == 1)
        #expect(document.text == #"{"id":9007199254740993,"n":12345678901234.5678,"ts":"2026-01-02T03:04:05.120000Z","#
            + #""local":"2026-01-02T03:04:05","j":{"x":[1,2]},"arr":[[1,2],[3,null]],"tags":["a","b c","NULL",null,"q\"d"],"#
            + #""flags":[true,false],"by":"3q2+7w==","nothing":null}"#)
        #expect(document.properties == ["schema": "crm", "table": "c", "op": "insert", "key_columns": "id",
                                        "lsn": "0/5C5CB48", "commit_time": "2026-12-05T03:02:28.999160Z", "xid": "731"])
        #expect(decoder.lastCommit == "0/30")
        #expect(decoder.transactions == 1)
    }

    @Test func anUpdateOfTheKeyIsADeleteOfTheOldKeyThenAnInsert() throws {
        var decoder = ChangeDecoder(keys: ["shop.o": ["tenant", "id"]])
        let moved = #"{"action":"U","schema":"shop","table":"o","lsn":"0/9","columns":[{"name":"tenant","type":"text","value":"a"},"#
            + #"{"name":"id","type":"bigint","value":2},{"name":"total","type":"numeric","value":1.50}],"#
            + #""identity":[{"name":"tenant","type":"text","value":"a"},{"name":"id","type":"bigint","value":1}]}"#
        let documents = try decoder.decode(lsn: "0/9", data: moved)
        #expect(documents.map { $0.properties["op"] } == ["delete", "insert"])
        #expect(documents.map(\.text) == [#"{"tenant":"a","id":1}"#, #"{"tenant":"a","id":2,"total":1.50}"#])
        #expect(documents.allSatisfy { $0.properties["key_columns"] == "tenant,id" })

        let same = #"{"action":"U","schema":"shop","table":"o","lsn":"0/A","columns":[{"name":"tenant","type":"text","value":"a"},"#
            + #"{"name":"id","type":"bigint","value":2}],"identity":[{"name":"tenant","type":"text","value":"a"},{"name":"id","type":"bigint","value":2}]}"#
        // A TOASTed column left unchanged is not in the change, so not in the document either.
        #expect(try decoder.decode(lsn: "0/A", data: same).map(\.text) == [#"{"tenant":"a","id":2}"#])
        #expect(try decoder.decode(lsn: "0/A", data: same).map { $0.properties["op"] } == ["update"])
    }

    @Test func deletesCarryTheKeyAndTruncatesNothing() throws {
        var decoder = ChangeDecoder(keys: ["crm.c": ["id"]])
        let delete = #"{"action":"D","schema":"crm","table":"c","lsn":"0/B","identity":[{"name":"id","type":"bigint","value":2},"#
            + #"{"name":"name","type":"text","value":"full identity"}]}"#
        let deleted = try decoder.decode(lsn: "0/B", data: delete)
        #expect(deleted.map(\.text) == [#"{"id":2}"#])
        #expect(deleted.first?.properties["op"] == "delete")
        let truncated = try decoder.decode(lsn: "0/C", data: #"{"action":"T","schema":"crm","table":"c","lsn":"0/C"}"#)
        #expect(truncated.map(\.text) == ["{}"])
        #expect(truncated.first?.properties["op"] == "truncate")
        #expect(truncated.first?.properties["key_columns"] == "id")
        #expect(throws: PostgresConnectorError.self) { try decoder.decode(lsn: "0/D", data: "not json") }
    }

    @Test func valuesOutsideTheUsualForms() {
        #expect(ChangeDecoder.timestamp("infinity", zoned: true) == "infinity")
        #expect(ChangeDecoder.timestamp("2026-01-02 03:04:05+05:30", zoned: true) == "2026-01-02T03:04:05+05:30")
        #expect(ChangeDecoder.timestamp("2026-01-02 03:04:05-08", zoned: true) == "2026-01-02T03:04:05-08:00")
        #expect(ChangeDecoder.fractionPadded("03:04:05.000000") == "03:04:05")
        #expect(ChangeDecoder.hexBytes("\\x0aFF") == [10, 255])
        #expect(ChangeDecoder.hexBytes("abc") == nil)
        #expect(ArrayLiteral.parse("{}", elementType: "integer") == .array([]))
        #expect(ArrayLiteral.parse("[0:1]={1,2}", elementType: "integer") == .array([.number("1"), .number("2")]))
        #expect(ArrayLiteral.parse("{1,2", elementType: "integer") == nil)
        #expect(ChangeDecoder.convert(.string("{NaN,1.5}"), type: "numeric[]") == .array([.string("NaN"), .number("1.5")]))
        #expect(ChangeDecoder.convert(.string("NaN"), type: "numeric") == .string("NaN"))
        #expect(ChangeDecoder.convert(.string("not json"), type: "jsonb") == .string("not json"))
    }
}
