extension CronExpression {
    /// One of the five fields, with its range and names.
    enum Field: String {
        case minute, hour, dayOfMonth = "day-of-month", month, dayOfWeek = "day-of-week"

        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        var names: [String: Int] {
            switch self {
            case .month:
                ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
                 "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
            case .dayOfWeek:
                ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
            default: [:]
            }
        }
    }

    /// The values a field selects.
    static func parse(_ text: String, field: Field, expression: String) throws(CronError) -> Set<Int> {
        func fail(_ message: String) -> CronError {
            CronError(expression: expression, message: "\(field.rawValue) field '\(text)': \(message)")
        }
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw fail("more than one '/' in '\(item)'") }
            var step = 1
            if parts.count == 2 {
                guard let parsed = Int(parts[1]), parsed > 0 else {
                    throw fail("step '\(parts[1])' must be a positive number")
                }
                step = parsed
            }
            let base = parts[0]
            let lower: Int, upper: Int
            if base == "*" {
                (lower, upper) = (field.range.lowerBound, field == .dayOfWeek ? 6 : field.range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                lower = try value(String(base[..<dash]), field: field, fail: fail)
                upper = try value(String(base[base.index(after: dash)...]), field: field, fail: fail)
                guard lower <= upper else { throw fail("range \(base) runs backwards") }
            } else {
                lower = try value(String(base), field: field, fail: fail)
                // `5/15` means from 5 to the end of the range in steps of 15.
                upper = parts.count == 2 ? field.range.upperBound : lower
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    private static func value(_ text: String, field: Field, fail: (String) -> CronError) throws(CronError) -> Int {
        if let number = Int(text) {
            guard field.range.contains(number) else {
                throw fail("\(number) is out of range \(field.range.lowerBound)-\(field.range.upperBound)")
            }
            return number
        }
        if let named = field.names[text.uppercased()] { return named }
        if text.isEmpty { throw fail("missing value") }
        let known = field.names.isEmpty ? "" : " (or a name such as \(field == .month ? "JAN" : "MON"))"
        throw fail("'\(text)' is not a number\(known)")
    }
}
