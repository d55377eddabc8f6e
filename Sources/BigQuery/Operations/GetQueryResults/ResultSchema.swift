import DocumentMapping

/// One field of a query result schema (`schema.fields[]` of a getQueryResults response).
struct ResultField: Sendable, Equatable {
    /// How a field's cells are written in the output documents.
    enum Kind: Sendable, Equatable {
        case integer
        case float
        /// NUMERIC and BIGNUMERIC: kept as strings so no digit is lost.
        case decimalText
        case boolean
        /// STRING, BYTES (base64 as given), DATE, DATETIME, TIME, GEOGRAPHY, INTERVAL and others.
        case text
        case timestamp
        case json
        case record([ResultField])
    }

    var name: String
    var kind: Kind
    var repeated: Bool

    /// Reads `schema.fields` of a response; nil when the response has no schema.
    static func fields(ofSchema schema: JSONValue?) throws(ResultDecodingError) -> [ResultField]? {
        guard let schema else { return nil }
        guard case .object(let object) = schema, case .array(let fields)? = object["fields"] else {
            throw ResultDecodingError("the result schema has no fields array")
        }
        return try parse(fields)
    }

    private static func parse(_ fields: [JSONValue]) throws(ResultDecodingError) -> [ResultField] {
        var result: [ResultField] = []
        result.reserveCapacity(fields.count)
        for value in fields {
            guard case .object(let field) = value, let name = field["name"]?.stringValue else {
                throw ResultDecodingError("a result schema field has no name")
            }
            let type = (field["type"]?.stringValue ?? "STRING").uppercased()
            let repeated = field["mode"]?.stringValue?.uppercased() == "REPEATED"
            let kind: Kind
            switch type {
            case "INTEGER", "INT64": kind = .integer
            case "FLOAT", "FLOAT64": kind = .float
            case "NUMERIC", "BIGNUMERIC", "DECIMAL", "BIGDECIMAL": kind = .decimalText
            case "BOOLEAN", "BOOL": kind = .boolean
            case "TIMESTAMP": kind = .timestamp
            case "JSON": kind = .json
            case "RECORD", "STRUCT":
                guard case .array(let children)? = field["fields"] else {
                    throw ResultDecodingError("RECORD field '\(name)' has no fields in the result schema")
                }
                kind = .record(try parse(children))
            default: kind = .text
            }
            result.append(ResultField(name: name, kind: kind, repeated: repeated))
        }
        return result
    }
}

/// A getQueryResults response that could not be turned into rows.
struct ResultDecodingError: Error, Sendable, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { "cannot read the query results: \(message)" }
}
