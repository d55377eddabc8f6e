import DocumentMapping

/// Turns the rows of a getQueryResults response (`{"f": [{"v": …}]}`) into JSON objects typed
/// by the result schema: numbers for INT64 and FLOAT64, booleans, parsed JSON, nested objects
/// for RECORD, arrays for REPEATED, RFC 3339 text for TIMESTAMP and null for NULL.
struct RowDecoder: Sendable {
    let fields: [ResultField]

    /// Decodes every row of a `rows` array.
    func decode(rows: [JSONValue]) throws(ResultDecodingError) -> [JSONValue] {
        var result: [JSONValue] = []
        result.reserveCapacity(rows.count)
        for (position, row) in rows.enumerated() {
            do {
                result.append(try record(row, fields: fields))
            } catch {
                throw ResultDecodingError("row \(position) of the page: \(error.message)")
            }
        }
        return result
    }

    /// A `{"f": [...]}` cell list as an object with the schema's field names.
    func record(_ value: JSONValue, fields: [ResultField]) throws(ResultDecodingError) -> JSONValue {
        guard case .object(let row) = value, case .array(let cells)? = row["f"] else {
            throw ResultDecodingError("expected {\"f\": [...]} but found \(value.jsonString.prefix(80))")
        }
        guard cells.count == fields.count else {
            throw ResultDecodingError("\(cells.count) cells for \(fields.count) schema fields")
        }
        var object = JSONObject()
        object.reserveCapacity(fields.count)
        for (field, cell) in zip(fields, cells) {
            object[field.name] = try self.cell(cell, field: field)
        }
        return .object(object)
    }

    private func cell(_ cell: JSONValue, field: ResultField) throws(ResultDecodingError) -> JSONValue {
        guard case .object(let wrapper) = cell else {
            throw ResultDecodingError("field '\(field.name)': expected {\"v\": …}")
        }
        let value = wrapper["v"] ?? .null
        guard field.repeated else { return try scalar(value, field: field) }
        switch value {
        case .null:
            return .array([])
        case .array(let items):
            var result: [JSONValue] = []
            result.reserveCapacity(items.count)
            for item in items {
                guard case .object(let inner) = item else {
                    throw ResultDecodingError("field '\(field.name)': expected {\"v\": …} array items")
                }
                result.append(try scalar(inner["v"] ?? .null, field: field))
            }
            return .array(result)
        default:
            throw ResultDecodingError("field '\(field.name)' is REPEATED but its value is not an array")
        }
    }

    func scalar(_ value: JSONValue, field: ResultField) throws(ResultDecodingError) -> JSONValue {
        if case .null = value { return .null }
        if case .record(let children) = field.kind {
            do { return try record(value, fields: children) } catch {
                throw ResultDecodingError("field '\(field.name)': \(error.message)")
            }
        }
        guard let text = value.textValue else {
            throw ResultDecodingError("field '\(field.name)': expected a text value, found \(value.jsonString.prefix(80))")
        }
        switch field.kind {
        case .integer:
            guard CellText.isInteger(text) else {
                throw ResultDecodingError("field '\(field.name)': '\(text)' is not an INT64")
            }
            return .number(text)
        case .float:
            return CellText.float(text)
        case .boolean:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw ResultDecodingError("field '\(field.name)': '\(text)' is not a BOOL")
            }
        case .timestamp:
            guard let rfc3339 = CellText.timestamp(text) else {
                throw ResultDecodingError("field '\(field.name)': '\(text)' is not a TIMESTAMP")
            }
            return .string(rfc3339)
        case .json:
            do { return try JSONParser.parse(text) } catch {
                throw ResultDecodingError("field '\(field.name)': JSON value is not valid JSON: \(error)")
            }
        case .decimalText:
            return .string(CellText.plainDecimal(text))
        case .text, .record:
            return .string(text)
        }
    }
}
