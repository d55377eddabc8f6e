import ConveyorBase
import DocumentMapping
import Foundation
import ProcessEngine

/// Shapes a JSON row for a table before it is encoded: keeps only the table's columns (or fails
/// on others), casts values to the column types (after any `overwriteTypes` cast), checks
/// REQUIRED columns at every level, and adds the CDC pseudo-columns when enabled.
///
/// The result is canonical JSON both the proto encoder and a load job accept: INT64 and FLOAT64
/// as numbers, BOOL as booleans, TIMESTAMP as RFC 3339 UTC text, other scalars as text.
struct StorageRowPreparer: Sendable {
    /// The pseudo-columns of BigQuery change data capture.
    static let changeType = "_CHANGE_TYPE"
    static let changeSequenceNumber = "_CHANGE_SEQUENCE_NUMBER"

    let schema: StorageSchema
    let table: String
    var unknownColumns = StorageSinkSettings.UnknownColumns.drop
    /// Set for change documents held to `error` by default: a null in a column the table lacks
    /// loses nothing and is left out; the message says how to keep or drop such a column.
    var changeDocuments = false
    var overwriteTypes: [String: StorageSchema.Field.Kind] = [:]
    var cdc = false

    init(schema: StorageSchema, table: String, sink: StorageSinkSettings = StorageSinkSettings()) {
        self.schema = schema
        self.table = table
        unknownColumns = sink.unknownColumns
        overwriteTypes = sink.overwriteTypes
        cdc = sink.cdc
    }

    /// The prepared row, or an error naming the column at fault. `partial` (a MERGE's update or
    /// delete) accepts a top-level REQUIRED column the row does not carry at all.
    func prepare(_ row: JSONValue, partial: Bool = false) throws(DocumentError) -> JSONValue {
        guard case .object(let object) = row else {
            throw DocumentError("a storage-write row must be a JSON object, not \(row)", code: .content)
        }
        var result = try prepare(object, fields: schema.fields, path: "", partial: partial)
        if cdc { try addChangeColumns(from: object, to: &result) }
        return .object(result)
    }

    private func prepare(_ object: JSONObject, fields: [StorageSchema.Field], path: String,
                         partial: Bool = false) throws(DocumentError) -> JSONObject {
        var byName: [String: Int] = [:]
        for (index, field) in fields.enumerated() { byName[field.name.lowercased()] = index }
        var values: [JSONValue?] = Array(repeating: nil, count: fields.count)
        for (key, value) in zip(object.keys, object.values) {
            guard let index = byName[key.lowercased()] else {
                let isChangeColumn = cdc && path.isEmpty
                    && (key.uppercased() == Self.changeType || key.uppercased() == Self.changeSequenceNumber)
                if unknownColumns == .error && !isChangeColumn && !(changeDocuments && value.isNull) {
                    if changeDocuments {
                        throw DocumentError("column \(path + key) of this change is not in the schema of table \(table): add it there, "
                            + "or let <schemaUpdate>add-columns</schemaUpdate> add it, or drop it with <unknownColumns>drop</unknownColumns>",
                                            code: .value)
                    }
                    throw DocumentError("column \(path + key) is not in the schema of table \(table) (unknownColumns is error)", code: .value)
                }
                continue
            }
            values[index] = value
        }
        var result = JSONObject()
        result.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            let name = path + field.name
            guard let value = values[index], !value.isNull else {
                if field.mode == .required, !(partial && values[index] == nil) {
                    throw DocumentError("column \(name) of table \(table) is REQUIRED but the row has no value for it", code: .value)
                }
                continue
            }
            result[field.name] = try cast(value, field: field, name: name)
        }
        return result
    }

    private func cast(_ value: JSONValue, field: StorageSchema.Field, name: String) throws(DocumentError) -> JSONValue {
        guard field.mode == .repeated else { return try castOne(value, field: field, name: name) }
        guard case .array(let items) = value else {
            throw DocumentError("column \(name) is REPEATED: expected an array, got \(value)", code: .value)
        }
        var cast: [JSONValue] = []
        cast.reserveCapacity(items.count)
        for item in items where !item.isNull { cast.append(try castOne(item, field: field, name: name)) }
        return .array(cast)
    }

    private func castOne(_ value: JSONValue, field: StorageSchema.Field, name: String) throws(DocumentError) -> JSONValue {
        if field.kind == .record {
            guard case .object(let nested) = value else {
                throw DocumentError("column \(name) is a RECORD: expected an object, got \(value)", code: .value)
            }
            return .object(try prepare(nested, fields: field.fields, path: name + "."))
        }
        var value = value
        if let forced = overwriteTypes[name] ?? overwriteTypes[field.name] {
            value = try Self.cast(value, to: forced, column: name)
        }
        return try Self.cast(value, to: field.kind, column: name)
    }

    /// `value` as canonical JSON of a scalar column type.
    static func cast(_ value: JSONValue, to kind: StorageSchema.Field.Kind, column: String) throws(DocumentError) -> JSONValue {
        switch kind {
        case .int64:
            return .number(String(try StorageValues.int64(value, column: column)))
        case .float64:
            let double = try StorageValues.double(value, column: column)
            if double.isNaN { return .string("NaN") }
            if double.isInfinite { return .string(double > 0 ? "Infinity" : "-Infinity") }
            if case .number = value { return value }
            return .number(String(double))
        case .bool:
            if case .number(let literal) = value, literal == "0" || literal == "1" { return .bool(literal == "1") }
            return .bool(try StorageValues.bool(value, column: column))
        case .timestamp:
            return .string(CivilTime.rfc3339(micros: try timestampMicros(value, column: column)))
        case .date:
            if case .string(let text) = value, CivilTime.date(Array(text.utf8)[...])?.rest.isEmpty == true { return value }
            guard let micros = try? timestampMicros(value, column: column) else {
                throw DocumentError("column \(column): \(value) is not a valid DATE (YYYY-MM-DD)", code: .value)
            }
            return .string(String(CivilTime.rfc3339(micros: micros).prefix(10)))
        case .string:
            switch value {
            case .object, .array: return .string(String(decoding: value.serialized(), as: UTF8.self))
            default: return .string(try StorageValues.text(value, column: column))
            }
        case .numeric, .bignumeric, .datetime, .time, .geography:
            return .string(try StorageValues.text(value, column: column))
        case .json, .bytes, .record:
            return value
        }
    }

    /// A TIMESTAMP from text (RFC 3339 or BigQuery's form) or from an epoch number whose unit is
    /// told by its size: seconds below 1e11, milliseconds below 1e14, microseconds below 1e17,
    /// nanoseconds above (as change-data-capture tools emit them).
    static func timestampMicros(_ value: JSONValue, column: String) throws(DocumentError) -> Int64 {
        var number: Double?
        switch value {
        case .number(let literal): number = Double(literal)
        case .string(let text):
            if let micros = CivilTime.timestampMicros(text) { return micros }
            let trimmed = text.trimming(.whitespaces)
            if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) { number = Double(trimmed) }
        default: break
        }
        guard let number, number.isFinite else {
            throw DocumentError("column \(column): \(value) is not a valid TIMESTAMP", code: .value)
        }
        let magnitude = abs(number)
        let micros: Double = switch magnitude {
        case ..<1e11: number * 1_000_000
        case ..<1e14: number * 1_000
        case ..<1e17: number
        default: number / 1_000
        }
        return Int64(micros.rounded())
    }
}
