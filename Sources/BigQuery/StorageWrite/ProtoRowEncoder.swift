import DocumentMapping
import Foundation
import ProcessEngine

/// Encodes JSON rows as protobuf row messages of a ``StorageSchema`` (its ``StorageSchema/descriptor(name:)``).
///
/// Columns the schema does not have are ignored; null or missing values are left out. A value
/// that does not fit its column throws a ``DocumentError`` naming the column.
struct ProtoRowEncoder: Sendable {
    let schema: StorageSchema

    /// The row message's bytes for one JSON object.
    func encode(_ row: JSONValue) throws(DocumentError) -> [UInt8] {
        guard case .object(let object) = row else {
            throw DocumentError("a storage-write row must be a JSON object", code: .content)
        }
        var writer = ProtoWriter(capacity: 64)
        try Self.encode(object, fields: schema.fields, path: "", into: &writer)
        return writer.bytes
    }

    private static func encode(_ object: JSONObject, fields: [StorageSchema.Field], path: String,
                               into writer: inout ProtoWriter) throws(DocumentError) {
        for field in fields {
            guard let value = lookup(object, field.name), !value.isNull else { continue }
            let name = path.isEmpty ? field.name : path + "." + field.name
            if field.mode == .repeated {
                guard case .array(let items) = value else {
                    throw DocumentError("column \(name) is REPEATED: expected an array, got \(value)", code: .value)
                }
                for item in items where !item.isNull {
                    try encode(item, field: field, path: name, into: &writer)
                }
            } else {
                try encode(value, field: field, path: name, into: &writer)
            }
        }
    }

    /// The member named `name`, or else the first whose name matches ignoring case (as BigQuery does).
    private static func lookup(_ object: JSONObject, _ name: String) -> JSONValue? {
        if let value = object[name] { return value }
        let lowered = name.lowercased()
        for (index, key) in object.keys.enumerated() where key.lowercased() == lowered {
            return object.values[index]
        }
        return nil
    }

    private static func encode(_ value: JSONValue, field: StorageSchema.Field, path: String,
                               into writer: inout ProtoWriter) throws(DocumentError) {
        let number = field.number
        switch field.kind {
        case .int64:
            writer.int64(number, try StorageValues.int64(value, column: path))
        case .float64:
            writer.double(number, try StorageValues.double(value, column: path))
        case .bool:
            writer.bool(number, try StorageValues.bool(value, column: path))
        case .numeric, .bignumeric, .string, .datetime, .time, .geography:
            writer.string(number, try StorageValues.text(value, column: path))
        case .json:
            if case .string(let text) = value { writer.string(number, text) } else {
                writer.lengthDelimited(number, value.serialized())
            }
        case .bytes:
            writer.lengthDelimited(number, try StorageValues.bytes(value, column: path))
        case .date:
            writer.int64(number, Int64(try StorageValues.days(value, column: path)))
        case .timestamp:
            writer.int64(number, try StorageValues.microseconds(value, column: path))
        case .record:
            guard case .object(let nested) = value else {
                throw DocumentError("column \(path) is a RECORD: expected an object, got \(value)", code: .value)
            }
            var inner = ProtoWriter(capacity: 32)
            try encode(nested, fields: field.fields, path: path, into: &inner)
            writer.lengthDelimited(number, inner)
        }
    }
}
