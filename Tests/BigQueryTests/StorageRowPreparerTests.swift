@testable import BigQuery
import DocumentMapping
import Foundation
import ProcessEngine
import Testing

/// What the storage-write sink does to a row before encoding it: columns, casts, REQUIRED, CDC.
@Suite struct StorageRowPreparerTests {
    static let schema: StorageSchema = {
        let json = """
        {"schema": {"fields": [
          {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
          {"name": "score", "type": "FLOAT"},
          {"name": "active", "type": "BOOLEAN"},
          {"name": "note", "type": "STRING"},
          {"name": "_created_at", "type": "STRING"},
          {"name": "updated", "type": "TIMESTAMP"},
          {"name": "day", "type": "DATE"},
          {"name": "address", "type": "RECORD", "fields": [
            {"name": "city", "type": "STRING", "mode": "REQUIRED"},
            {"name": "zip", "type": "INTEGER"}]},
          {"name": "lines", "type": "RECORD", "mode": "REPEATED", "fields": [
            {"name": "sku", "type": "STRING", "mode": "REQUIRED"}]}
        ]}}
        """
        return (try? StorageSchema.parse(table: JSONParser.parse(json), name: "p.d.t")) ?? StorageSchema(fields: [])
    }()

    static func prepare(_ text: String, sink: StorageSinkSettings = StorageSinkSettings()) throws -> String {
        let row = try JSONParser.parse(text)
        let prepared = try StorageRowPreparer(schema: schema, table: "p.d.t", sink: sink).prepare(row)
        return String(decoding: prepared.serialized(), as: UTF8.self)
    }

    /// The error a preparation throws, as its description (nil when it succeeds).
    static func failure(_ body: () throws -> String) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func onlyTableColumnsAreKeptInSchemaOrder() throws {
        let out = try Self.prepare(#"{"extra": 1, "NOTE": "n", "id": 7, "address": {"city": "Oslo", "floor": 3}}"#)
        #expect(out == #"{"id":7,"note":"n","address":{"city":"Oslo"}}"#)
    }

    @Test func unknownColumnsCanFailTheRowNamingTheColumn() {
        var sink = StorageSinkSettings()
        sink.unknownColumns = .error
        #expect(Self.failure { try Self.prepare(#"{"id": 1, "extra": true}"#, sink: sink) } == "column extra is not in the schema of table p.d.t (unknownColumns is error)")
        #expect(Self.failure { try Self.prepare(#"{"id": 1, "address": {"city": "x", "floor": 2}}"#, sink: sink) } == "column address.floor is not in the schema of table p.d.t (unknownColumns is error)")
    }

    @Test func valuesAreCastToTheColumnTypes() throws {
        let out = try Self.prepare(#"{"id": "42", "score": "2.5", "active": "TRUE", "note": 12.5, "address": {"city": "c", "zip": "0190"}}"#)
        #expect(out == #"{"id":42,"score":2.5,"active":true,"note":"12.5","address":{"city":"c","zip":190}}"#)
        #expect(try Self.prepare(#"{"id": 1, "active": 0, "note": {"a": [1]}}"#) == #"{"id":1,"active":false,"note":"{\"a\":[1]}"}"#)
        #expect(throws: DocumentError.self) { try Self.prepare(#"{"id": "forty"}"#) }
    }

    @Test func aValueThatIsNoDateIsNamedAsNoDate() throws {
        let message = try #require(Self.failure { try Self.prepare(#"{"id": 1, "day": "2026-13-01"}"#) })
        #expect(message.contains(#"column day: "2026-13-01" is not a valid DATE (YYYY-MM-DD)"#), "\(message)")
        #expect(try Self.prepare(#"{"id": 1, "day": "2026-11-21T10:11:12Z"}"#).contains(#""day":"2026-11-21""#))
    }

    @Test func timestampsFromEpochNumbersAndTextBecomeTimestamps() throws {
        let expected = #"{"id":1,"updated":"2024-03-01T09:00:00.123000Z"}"#
        #expect(try Self.prepare(#"{"id": 1, "updated": 1709283600123}"#) == expected)          // milliseconds
        #expect(try Self.prepare(#"{"id": 1, "updated": 1709283600.123}"#) == expected)         // seconds
        #expect(try Self.prepare(#"{"id": 1, "updated": 1709283600123000}"#) == expected)       // microseconds
        #expect(try Self.prepare(#"{"id": 1, "updated": "1709283600123000000"}"#) == expected)  // nanoseconds, as text
        #expect(try Self.prepare(#"{"id": 1, "updated": "2024-03-01T10:00:00.123+01:00"}"#) == expected)
        #expect(try Self.prepare(#"{"id": 1, "day": 1709283600123}"#) == #"{"id":1,"day":"2024-03-01"}"#)
        #expect(CivilTime.rfc3339(micros: -1) == "1969-12-31T23:59:59.999999Z")
    }

    @Test func overwriteTypesForceTheCastOfNamedColumns() throws {
        var sink = StorageSinkSettings()
        sink.overwriteTypes = ["_created_at": .timestamp, "note": .int64]
        let out = try Self.prepare(#"{"id": 1, "_created_at": 1709283600000, "note": "12"}"#, sink: sink)
        #expect(out == #"{"id":1,"note":"12","_created_at":"2024-03-01T09:00:00.000000Z"}"#)
        let failure = Self.failure { try Self.prepare(#"{"id": 1, "note": "twelve"}"#, sink: sink) } ?? ""
        #expect(failure.hasPrefix("column note:") && failure.hasSuffix("is not a valid INT64"), "\(failure)")
    }

    @Test func requiredColumnsFailTheirRowsAtEveryLevel() {
        #expect(Self.failure { try Self.prepare(#"{"note": "no id"}"#) } == "column id of table p.d.t is REQUIRED but the row has no value for it")
        #expect(Self.failure { try Self.prepare(#"{"id": null}"#) } == "column id of table p.d.t is REQUIRED but the row has no value for it")
        #expect(Self.failure { try Self.prepare(#"{"id": 1, "address": {"zip": 1}}"#) } == "column address.city of table p.d.t is REQUIRED but the row has no value for it")
        #expect(Self.failure { try Self.prepare(#"{"id": 1, "lines": [{"sku": "a"}, {"sku": null}]}"#) } == "column lines.sku of table p.d.t is REQUIRED but the row has no value for it")
        // A NULLABLE record left out does not check what it would hold.
        #expect((try? Self.prepare(#"{"id": 1, "address": null}"#)) == #"{"id":1}"#)
    }

    @Test func changeColumnsComeFromRowMembersWithUpsertAsDefault() throws {
        var sink = StorageSinkSettings()
        sink.cdc = true
        #expect(try Self.prepare(#"{"id": 1}"#, sink: sink) == #"{"id":1,"_CHANGE_TYPE":"UPSERT"}"#)
        #expect(try Self.prepare(#"{"id": 1, "_change_type": "delete", "_CHANGE_SEQUENCE_NUMBER": 255}"#, sink: sink)
                == #"{"id":1,"_CHANGE_TYPE":"DELETE","_CHANGE_SEQUENCE_NUMBER":"FF"}"#)
        #expect(try Self.prepare(#"{"id": 1, "_CHANGE_SEQUENCE_NUMBER": "1a/ff"}"#, sink: sink)
                == #"{"id":1,"_CHANGE_TYPE":"UPSERT","_CHANGE_SEQUENCE_NUMBER":"1A/FF"}"#)
        #expect(throws: DocumentError.self) { try Self.prepare(#"{"id": 1, "_CHANGE_TYPE": "INSERT"}"#, sink: sink) }
        #expect(throws: DocumentError.self) { try Self.prepare(#"{"id": 1, "_CHANGE_SEQUENCE_NUMBER": "xyz"}"#, sink: sink) }
        // Without <cdc>, the members are unknown columns.
        #expect(try Self.prepare(#"{"id": 1, "_CHANGE_TYPE": "DELETE"}"#) == #"{"id":1}"#)
    }

    @Test func documentPropertiesFillMissingChangeColumns() throws {
        let document = Document(data: Array(#"{"id": 1}"#.utf8),
                                properties: ["bigquery.changeType": "DELETE", "bigquery.changeSequenceNumber": "300"], index: 0)
        var row = try JSONParser.parse(#"{"id": 1}"#)
        StorageWriteOperation.addChangeProperties(of: document, to: &row)
        var sink = StorageSinkSettings()
        sink.cdc = true
        let prepared = try StorageRowPreparer(schema: Self.schema, table: "p.d.t", sink: sink).prepare(row)
        #expect(String(decoding: prepared.serialized(), as: UTF8.self)
                == #"{"id":1,"_CHANGE_TYPE":"DELETE","_CHANGE_SEQUENCE_NUMBER":"12C"}"#)
        // A row member wins over the property.
        var own = try JSONParser.parse(#"{"id": 1, "_CHANGE_TYPE": "UPSERT"}"#)
        StorageWriteOperation.addChangeProperties(of: document, to: &own)
        #expect(own[key: "_CHANGE_TYPE"]?.stringValue == "UPSERT")
    }

    /// The AppendRows rows of a CDC write, byte for byte as the official protobuf library encodes them
    /// from the same descriptor, with the pseudo-columns as the last two fields.
    @Test func changeColumnsAreOnTheWire() throws {
        var sink = StorageSinkSettings()
        sink.cdc = true
        let written = Self.schema.withChangeColumns()
        let descriptor = written.descriptor()
        #expect(descriptor.field.suffix(2).map(\.name) == ["_CHANGE_TYPE", "_CHANGE_SEQUENCE_NUMBER"])
        #expect(descriptor.field.suffix(2).map(\.number) == [10, 11])
        #expect(descriptor.field.suffix(2).allSatisfy { $0.type == .string })
        let row = try JSONParser.parse(#"{"id": 5, "updated": 1709283600123, "_CHANGE_TYPE": "DELETE", "_CHANGE_SEQUENCE_NUMBER": 16}"#)
        let prepared = try StorageRowPreparer(schema: Self.schema, table: "p.d.t", sink: sink).prepare(row)
        let ours = try ProtoRowEncoder(schema: written).encode(prepared)
        let theirs = try ProtoRowEncoderTests.python(try descriptor.serializedBytes(),
            #"{"id": "5", "updated": "1709283600123000", "_CHANGE_TYPE": "DELETE", "_CHANGE_SEQUENCE_NUMBER": "10"}"#)
        #expect(ProtoRowEncoderTests.hex(ours) == ProtoRowEncoderTests.hex(theirs))
    }
}
