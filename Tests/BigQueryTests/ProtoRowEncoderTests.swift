@testable import BigQuery
import DocumentMapping
import Foundation
import SwiftProtobuf
import Testing

/// Row encoding checked byte for byte against the official Python protobuf library, which
/// encodes the same values with a message class built from the same descriptor.
@Suite struct ProtoRowEncoderTests {
    static let schemaJSON = """
    {"schema": {"fields": [
      {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
      {"name": "score", "type": "FLOAT"},
      {"name": "amount", "type": "NUMERIC"},
      {"name": "big", "type": "BIGNUMERIC"},
      {"name": "active", "type": "BOOLEAN"},
      {"name": "name", "type": "STRING"},
      {"name": "blob", "type": "BYTES"},
      {"name": "day", "type": "DATE"},
      {"name": "local", "type": "DATETIME"},
      {"name": "clock", "type": "TIME"},
      {"name": "at", "type": "TIMESTAMP"},
      {"name": "doc", "type": "JSON"},
      {"name": "place", "type": "GEOGRAPHY"},
      {"name": "tags", "type": "STRING", "mode": "REPEATED"},
      {"name": "address", "type": "RECORD", "fields": [
        {"name": "city", "type": "STRING"},
        {"name": "lines", "type": "INTEGER", "mode": "REPEATED"}]},
      {"name": "history", "type": "RECORD", "mode": "REPEATED", "fields": [
        {"name": "at", "type": "TIMESTAMP"}]}
    ]}}
    """

    static let row = """
    {"id": -42, "score": 1.5, "amount": "123.456", "big": 99999999999999999999, "active": true,
     "name": "Zoë", "blob": "AAEC/w==", "day": "1969-12-31", "local": "2024-02-29T12:30:00",
     "clock": "23:59:59.5", "at": "2024-03-01T10:00:00.123456+01:00", "doc": {"a": [1, 2]},
     "place": "POINT(1 2)", "tags": ["x", null, "y"], "address": {"city": "Oslo", "lines": [1, -2]},
     "history": [{"at": "1970-01-01 00:00:01 UTC"}, {"at": 2.5}], "extra": "ignored", "ID2": null}
    """

    /// The same row as proto JSON (values already in their proto representations).
    static let protoValues = """
    {"id": "-42", "score": 1.5, "amount": "123.456", "big": "99999999999999999999", "active": true,
     "name": "Zoë", "blob": "AAEC/w==", "day": -1, "local": "2024-02-29T12:30:00", "clock": "23:59:59.5",
     "at": "1709283600123456", "doc": "{\\"a\\":[1,2]}", "place": "POINT(1 2)", "tags": ["x", "y"],
     "address": {"city": "Oslo", "lines": ["1", "-2"]}, "history": [{"at": "1000000"}, {"at": "2500000"}]}
    """

    static func python(_ descriptor: [UInt8], _ values: String) throws -> [UInt8] {
        let script = """
        import sys, json
        from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
        proto = descriptor_pb2.DescriptorProto.FromString(bytes.fromhex(sys.argv[1]))
        file = descriptor_pb2.FileDescriptorProto(name="row.proto", package="t")
        file.message_type.add().CopyFrom(proto)
        pool = descriptor_pool.DescriptorPool()
        pool.Add(file)
        cls = message_factory.GetMessageClass(pool.FindMessageTypeByName("t." + proto.name))
        message = json_format.ParseDict(json.loads(sys.argv[2]), cls())
        sys.stdout.write(message.SerializeToString().hex())
        """
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let python = ProcessInfo.processInfo.environment["CONVEYOR_PYTHON"] ?? root + "/.venv-bq/bin/python"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, hex(descriptor), values]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python failed")
        return try #require(bytes(hex: String(decoding: data, as: UTF8.self)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }

    @Test func everyTypeMatchesThePythonEncoding() throws {
        let schema = try StorageSchema.parse(table: try JSONParser.parse(Self.schemaJSON), name: "p.d.t")
        let descriptor: [UInt8] = try schema.descriptor().serializedBytes()
        let ours = try ProtoRowEncoder(schema: schema).encode(try JSONParser.parse(Self.row))
        let theirs = try Self.python(descriptor, Self.protoValues)
        #expect(Self.hex(ours) == Self.hex(theirs))
    }

    @Test func descriptorNumbersColumnsInSchemaOrderWithNestedRecords() throws {
        let schema = try StorageSchema.parse(table: try JSONParser.parse(Self.schemaJSON), name: "p.d.t")
        let descriptor = schema.descriptor()
        #expect(descriptor.field.map(\.number) == Array(1...16))
        #expect(descriptor.field[0].type == .int64)
        #expect(descriptor.field[7].type == .int32)
        #expect(descriptor.field[13].label == .repeated)
        #expect(descriptor.field[14].typeName == "Record15")
        #expect(descriptor.nestedType.map(\.name) == ["Record15", "Record16"])
    }

    @Test func valuesThatDoNotFitTheirColumnNameTheColumn() throws {
        let schema = try StorageSchema.parse(table: try JSONParser.parse(Self.schemaJSON), name: "p.d.t")
        let encoder = ProtoRowEncoder(schema: schema)
        #expect(throws: (any Error).self) { try encoder.encode(try JSONParser.parse(#"{"id": "x"}"#)) }
        do {
            _ = try encoder.encode(try JSONParser.parse(#"{"address": {"lines": ["a"]}}"#))
            Issue.record("expected a failure")
        } catch {
            #expect("\(error)".contains("address.lines"))
        }
        #expect(throws: (any Error).self) { try encoder.encode(try JSONParser.parse(#"{"day": "2024-13-01"}"#)) }
        #expect(throws: (any Error).self) { try encoder.encode(try JSONParser.parse(#"[1]"#)) }
    }

    @Test func timestampsAndDatesConvert() {
        #expect(CivilTime.timestampMicros("1970-01-01T00:00:00Z") == 0)
        #expect(CivilTime.timestampMicros("1969-12-31 23:59:59.999999") == -1)
        #expect(CivilTime.timestampMicros("2000-01-01T00:00:00-02:30") == 946_693_800_000_000)
        #expect(CivilTime.timestampMicros("2000-01-01") == 946_684_800_000_000)
        #expect(CivilTime.timestampMicros("2000-01-01T25:00:00Z") == nil)
        #expect(CivilTime.days(2024, 3, 1) == 19_783)
    }
}
