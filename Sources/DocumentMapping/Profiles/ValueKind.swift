/// The value type of a profile element, resolved from its declared `type`.
enum ValueKind: Sendable, Hashable {
    // json, xml and csv profiles
    case character, number, boolean, datetime, object, array
    // bigquery-table profiles
    case string, bytes, int64, float64, numeric, bigNumeric, bool, timestamp, date, time, dateTime, json, geography
    case record

    /// Resolves a declared type name for a profile kind; nil when the name is unknown.
    init?(typeName: String, bigQuery: Bool) {
        if bigQuery {
            switch typeName.uppercased() {
            case "STRING": self = .string
            case "BYTES": self = .bytes
            case "INT64", "INTEGER": self = .int64
            case "FLOAT64", "FLOAT": self = .float64
            case "NUMERIC", "DECIMAL": self = .numeric
            case "BIGNUMERIC", "BIGDECIMAL": self = .bigNumeric
            case "BOOL", "BOOLEAN": self = .bool
            case "TIMESTAMP": self = .timestamp
            case "DATE": self = .date
            case "TIME": self = .time
            case "DATETIME": self = .dateTime
            case "JSON": self = .json
            case "GEOGRAPHY": self = .geography
            case "RECORD", "STRUCT": self = .record
            default: return nil
            }
        } else {
            switch typeName.lowercased() {
            case "character", "string": self = .character
            case "number": self = .number
            case "boolean": self = .boolean
            case "datetime": self = .datetime
            case "object": self = .object
            case "array": self = .array
            default: return nil
            }
        }
    }

    /// The name of a json/xml/csv kind as profiles write it.
    var profileName: String {
        switch self {
        case .character: return "character"
        case .number: return "number"
        case .boolean: return "boolean"
        case .datetime: return "datetime"
        case .object: return "object"
        case .array: return "array"
        default: return "\(self)".uppercased()
        }
    }

    /// Whether values of this kind are objects described by child elements.
    var hasChildren: Bool { self == .object || self == .record }

    /// The names accepted in profiles, for error messages.
    static func knownNames(bigQuery: Bool) -> String {
        bigQuery
            ? "STRING, BYTES, INT64, FLOAT64, NUMERIC, BIGNUMERIC, BOOL, TIMESTAMP, DATE, TIME, DATETIME, JSON, GEOGRAPHY, RECORD"
            : "character, number, boolean, datetime, object, array"
    }
}
