import DocumentMapping
import ProcessEngine

/// A table schema as the Storage Write API writer sees it: columns in schema order, each
/// numbered from 1 in the row message, with nested columns for RECORDs.
struct StorageSchema: Sendable, Hashable {
    /// One column of the table (or of a RECORD).
    struct Field: Sendable, Hashable {
        enum Kind: String, Sendable, Hashable {
            case int64, float64, numeric, bignumeric, bool, string, bytes, date, datetime, time
            case timestamp, json, geography, record
        }

        enum Mode: String, Sendable, Hashable {
            case nullable = "NULLABLE", required = "REQUIRED", repeated = "REPEATED"
        }

        var name: String
        var kind: Kind
        var mode: Mode
        /// The sub-columns of a RECORD.
        var fields: [Field]
        /// The field number in the row message (1-based schema position).
        var number: Int32
    }

    var fields: [Field]

    /// Reads `schema.fields` of a `tables.get` resource.
    static func parse(table: JSONValue, name: String) throws(DocumentError) -> StorageSchema {
        guard let fields = table[key: "schema"]?[key: "fields"]?.arrayValue else {
            throw DocumentError("table \(name) has no schema: create it with columns before writing to it", code: .schema)
        }
        return StorageSchema(fields: try parseFields(fields, path: name))
    }

    private static func parseFields(_ values: [JSONValue], path: String) throws(DocumentError) -> [Field] {
        var result: [Field] = []
        for (position, value) in values.enumerated() {
            guard let name = value[key: "name"]?.stringValue, !name.isEmpty else {
                throw DocumentError("table schema of \(path): column \(position + 1) has no name", code: .schema)
            }
            let typeName = (value[key: "type"]?.stringValue ?? "STRING").uppercased()
            guard let kind = kind(of: typeName) else {
                throw DocumentError("column \(path).\(name) has type \(typeName), which the storage-write API of this version cannot write",
                                    code: .schema)
            }
            let mode = Field.Mode(rawValue: (value[key: "mode"]?.stringValue ?? "NULLABLE").uppercased()) ?? .nullable
            var nested: [Field] = []
            if kind == .record {
                nested = try parseFields(value[key: "fields"]?.arrayValue ?? [], path: "\(path).\(name)")
            }
            result.append(Field(name: name, kind: kind, mode: mode, fields: nested, number: Int32(position + 1)))
        }
        return result
    }

    /// The column kind of a BigQuery type name (`INT64`, `INTEGER`, `RECORD`, …); nil when unknown.
    static func kind(of type: String) -> Field.Kind? {
        switch type {
        case "INT64", "INTEGER": .int64
        case "FLOAT64", "FLOAT": .float64
        case "NUMERIC": .numeric
        case "BIGNUMERIC": .bignumeric
        case "BOOL", "BOOLEAN": .bool
        case "STRING": .string
        case "BYTES": .bytes
        case "DATE": .date
        case "DATETIME": .datetime
        case "TIME": .time
        case "TIMESTAMP": .timestamp
        case "JSON": .json
        case "GEOGRAPHY": .geography
        case "RECORD", "STRUCT": .record
        default: nil
        }
    }
}
