extension ValueKind {
    /// Converts a value written by a map to this kind; nil when it cannot be converted.
    ///
    /// Text becomes a number for numeric kinds (`"42"` → `42`), numbers and booleans become
    /// text for text kinds, `"true"`/`"false"`/`"1"`/`"0"` become booleans; `null` stays `null`.
    /// Containers are left as they are (the validator reports a mismatch).
    func convert(_ value: JSONValue) -> JSONValue? {
        if case .null = value { return value }
        switch self {
        case .json, .object, .record, .array:
            return value
        case .character, .string, .geography, .bytes, .datetime, .date, .time, .dateTime:
            switch value {
            case .string: return value
            case .number, .bool: return value.textValue.map(JSONValue.string)
            case .array, .object: return (self == .character || self == .string) ? .string(value.jsonString) : value
            case .null: return value
            }
        case .timestamp:
            if case .bool = value { return value.textValue.map(JSONValue.string) }
            if case .string(let text) = value, let number = NumberText.normalized(text) { return .number(number) }
            return value
        case .number, .float64, .numeric, .bigNumeric:
            switch value {
            case .number: return value
            case .string(let text):
                if let number = NumberText.normalized(text) { return .number(number) }
                if self == .float64, ["NaN", "Infinity", "-Infinity"].contains(text) { return value }
                return nil
            default: return nil
            }
        case .int64:
            let literal: String?
            switch value {
            case .number(let text): literal = text
            case .string(let text): literal = NumberText.normalized(text)
            default: literal = nil
            }
            guard let literal, let integer = ValueKind.integerPart(literal), NumberText.fitsInt64(integer) else { return nil }
            return .number(integer)
        case .boolean, .bool:
            switch value {
            case .bool: return value
            case .string(let text):
                switch Substring(text).trimmingASCIIWhitespace().lowercased() {
                case "true", "1", "yes": return .bool(true)
                case "false", "0", "no": return .bool(false)
                default: return nil
                }
            case .number(let literal):
                if literal == "1" { return .bool(true) }
                if literal == "0" { return .bool(false) }
                return nil
            default: return nil
            }
        }
    }

    /// `42` for `42`, `42.000` or `-0.0`-style literals without a real fraction; nil otherwise.
    private static func integerPart(_ literal: String) -> String? {
        if NumberText.isIntegerLiteral(literal) { return literal == "-0" ? "0" : literal }
        guard !literal.contains("e"), !literal.contains("E"), let dot = literal.firstIndex(of: ".") else { return nil }
        guard literal[literal.index(after: dot)...].allSatisfy({ $0 == "0" }) else { return nil }
        let integer = String(literal[..<dot])
        return integer == "-0" ? "0" : integer
    }
}
