extension ProfileCodec {
    private var delimiter: UInt8 { profile.options["delimiter"]?.utf8.first ?? UInt8(ascii: ",") }
    private var quote: UInt8 { profile.options["quote"]?.utf8.first ?? UInt8(ascii: "\"") }
    private var hasHeader: Bool { !["false", "0"].contains(profile.options["header"] ?? "true") }

    /// Reads CSV bytes into an array of records, typed and checked by the columns.
    func readCSV(_ bytes: [UInt8], violations: inout [ProfileViolation]) -> JSONValue {
        let records: [CSVScanner.Record]
        do {
            records = try CSVScanner(delimiter: delimiter, quote: quote).records(bytes)
        } catch {
            violations.append(ProfileViolation(path: "/", message: "not valid CSV (line \(error.line)): \(error.message)"))
            return .null
        }
        let columns = shape.fields
        // Where each column is found in a record, and the names of undeclared header columns.
        var positions: [Int?] = columns.indices.map { $0 }
        var extra: [(name: String, position: Int)] = []
        var rows = records[...]
        if hasHeader, let header = rows.first {
            rows = rows.dropFirst()
            positions = columns.map { column in header.fields.firstIndex(of: column.name) }
            for (position, name) in header.fields.enumerated() where !columns.contains(where: { $0.name == name }) {
                extra.append((name: name, position: position))
            }
            for (column, position) in zip(columns, positions) where position == nil && column.required {
                violations.append(ProfileViolation(path: "/*/" + column.name, message: "required column is not in the header"))
            }
        }
        var result: [JSONValue] = []
        result.reserveCapacity(rows.count)
        for (row, record) in rows.enumerated() {
            var object = JSONObject()
            object.reserveCapacity(columns.count + extra.count)
            for (column, position) in zip(columns, positions) {
                let path = "/" + String(row) + "/" + column.name
                guard let position, position < record.fields.count, !record.fields[position].isEmpty else {
                    if column.required {
                        violations.append(ProfileViolation(path: path, message: "required column is empty"))
                    }
                    object.appendUnchecked(key: column.name, value: .null)
                    continue
                }
                object.appendUnchecked(key: column.name,
                                       value: scalar(record.fields[position], field: column, path: path,
                                                     violations: &violations))
            }
            for column in extra where column.position < record.fields.count {
                object[column.name] = .string(record.fields[column.position])
            }
            result.append(.object(object))
        }
        return .array(result)
    }

    /// Writes an array of records (or one record) as CSV in column order.
    func writeCSV(_ value: JSONValue) -> [UInt8] {
        let records: [JSONValue]
        switch value {
        case .array(let items): records = items
        default: records = [value]
        }
        let names = shape.fields.map(\.name)
        let writer = CSVWriter(delimiter: delimiter, quote: quote)
        var output: [UInt8] = []
        output.reserveCapacity(64 * (records.count + 1))
        if hasHeader { writer.append(names, to: &output) }
        for record in records {
            writer.append(names.map { record[key: $0]?.textValue ?? "" }, to: &output)
        }
        return output
    }
}
