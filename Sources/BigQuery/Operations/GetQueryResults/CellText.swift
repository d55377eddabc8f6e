import ConveyorBase
import DocumentMapping

/// Conversions of the text BigQuery sends for one cell into the text Conveyor writes.
enum CellText {
    /// Whether `text` is a whole number (`-12`, `0`, `9223372036854775807`).
    static func isInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A FLOAT64 cell: a JSON number, or the strings `NaN`, `Infinity`, `-Infinity`.
    static func float(_ text: String) -> JSONValue {
        if isJSONNumber(text) { return .number(text) }
        switch text.lowercased() {
        case "nan", "+nan", "-nan": return .string("NaN")
        case "inf", "+inf", "infinity", "+infinity": return .string("Infinity")
        case "-inf", "-infinity": return .string("-Infinity")
        default: break
        }
        if let value = Double(text), value.isFinite {
            let rendered = "\(value)"
            if isJSONNumber(rendered) { return .number(rendered) }
        }
        return .string(text)
    }

    /// Whether `text` follows JSON's number grammar.
    static func isJSONNumber(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { JSONBytes.numberEnd($0, from: 0) == $0.count }
    }

    /// A NUMERIC or BIGNUMERIC cell in plain decimal form: exponent text such as `0E-9` or
    /// `1.5E+2` is written out (`0`, `150`); other text is returned unchanged.
    static func plainDecimal(_ text: String) -> String {
        guard let mark = text.firstIndex(where: { $0 == "e" || $0 == "E" }), isJSONNumber(text),
              let exponent = Int(text[text.index(after: mark)...].replacing("+", with: "")), abs(exponent) <= 100 else {
            return text
        }
        var mantissa = Substring(text[..<mark])
        let negative = mantissa.first == "-"
        if negative { mantissa = mantissa.dropFirst() }
        var digits = mantissa.replacing(".", with: "")
        var point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count) + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        }
        if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
        var whole = String(digits.prefix(point))
        var fraction = String(digits.dropFirst(point))
        while whole.count > 1, whole.first == "0" { whole.removeFirst() }
        while fraction.last == "0" { fraction.removeLast() }
        let result = fraction.isEmpty ? whole : whole + "." + fraction
        return negative && result != "0" ? "-" + result : result
    }

    /// A TIMESTAMP cell as RFC 3339 UTC text (`2026-11-20T09:15:00.123456Z`; no fraction when
    /// it is zero). Accepts microseconds since the epoch (`formatOptions.useInt64Timestamp`)
    /// and epoch seconds as decimal or exponent text (`1.7E9`), converted without floating point.
    static func timestamp(_ text: String) -> String? {
        if isInteger(text) {
            guard let micros = Int64(text) else { return nil }
            return rfc3339(micros: micros)
        }
        guard let micros = micros(fromSeconds: text) else { return nil }
        return rfc3339(micros: micros)
    }

    /// Exact microseconds of epoch-seconds text such as `1700000000.123456` or `1.7000000001E9`
    /// (digits beyond the microsecond are dropped).
    static func micros(fromSeconds text: String) -> Int64? {
        guard isJSONNumber(text) || isJSONNumber("0" + text) else { return nil }
        var body = Substring(text)
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        var exponent = 0
        if let mark = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(body[body.index(after: mark)...].replacing("+", with: "")),
                  abs(value) < 40 else { return nil }
            exponent = value
            body = body[..<mark]
        }
        var digits = ""
        var fractionDigits = 0
        if let point = body.firstIndex(of: ".") {
            digits = String(body[..<point]) + String(body[body.index(after: point)...])
            fractionDigits = body.distance(from: body.index(after: point), to: body.endIndex)
        } else {
            digits = String(body)
        }
        let scale = exponent - fractionDigits + 6
        if scale >= 0 {
            digits += String(repeating: "0", count: scale)
        } else {
            digits = String(digits.dropLast(min(-scale, digits.count)))
        }
        while digits.count > 1, digits.first == "0" { digits.removeFirst() }
        guard let magnitude = Int64(digits.isEmpty ? "0" : digits) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// Microseconds since 1970-01-01T00:00:00Z as RFC 3339 UTC text (no fraction when it is zero).
    static func rfc3339(micros: Int64) -> String {
        RFC3339.text(micros: micros, fraction: .microsecondsUnlessZero)
    }
}
