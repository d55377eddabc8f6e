import DocumentMapping
import ProcessEngine

extension StorageRowPreparer {
    /// Adds `_CHANGE_TYPE` (UPSERT when absent) and `_CHANGE_SEQUENCE_NUMBER` (when given) from the
    /// row's members of those names (any case). A numeric sequence number becomes its hexadecimal form.
    func addChangeColumns(from object: JSONObject, to result: inout JSONObject) throws(DocumentError) {
        var changeType: JSONValue?
        var sequence: JSONValue?
        for (key, value) in zip(object.keys, object.values) where !value.isNull {
            switch key.uppercased() {
            case Self.changeType: changeType = value
            case Self.changeSequenceNumber: sequence = value
            default: break
            }
        }
        let type = changeType?.stringValue?.uppercased() ?? (changeType == nil ? "UPSERT" : "")
        guard type == "UPSERT" || type == "DELETE" else {
            throw DocumentError("\(Self.changeType) must be UPSERT or DELETE, not \(changeType ?? .null)", code: .value)
        }
        result[Self.changeType] = .string(type)
        if let sequence { result[Self.changeSequenceNumber] = .string(try Self.sequenceNumber(sequence)) }
    }

    /// BigQuery's sequence-number text: up to four `/`-separated hexadecimal sections of at most 16 digits.
    static func sequenceNumber(_ value: JSONValue) throws(DocumentError) -> String {
        switch value {
        case .number(let literal):
            guard let number = UInt64(literal) else { break }
            return String(number, radix: 16, uppercase: true)
        case .string(let text):
            let sections = text.split(separator: "/", omittingEmptySubsequences: false)
            let valid = (1...4).contains(sections.count) && sections.allSatisfy { section in
                (1...16).contains(section.count) && section.allSatisfy(\.isHexDigit)
            }
            if valid { return text.uppercased() }
        default: break
        }
        throw DocumentError("\(changeSequenceNumber) must be a non-negative integer or hexadecimal sections "
            + "separated by '/' (at most 4 of 16 digits), not \(value)", code: .value)
    }
}

extension StorageSchema {
    /// This schema with the CDC pseudo-columns `_CHANGE_TYPE` and `_CHANGE_SEQUENCE_NUMBER` (STRING),
    /// numbered after the table's columns.
    func withChangeColumns() -> StorageSchema {
        let next = Int32(fields.count)
        return StorageSchema(fields: fields + [
            Field(name: StorageRowPreparer.changeType, kind: .string, mode: .nullable, fields: [], number: next + 1),
            Field(name: StorageRowPreparer.changeSequenceNumber, kind: .string, mode: .nullable, fields: [], number: next + 2),
        ])
    }
}
