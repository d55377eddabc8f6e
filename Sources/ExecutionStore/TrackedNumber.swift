/// The one text a number has in the tracked values of `number` fields, so that `1.0`, `1`,
/// `1e0` and `01` are stored, and searched, alike.
public enum TrackedNumber {
    /// Exponents beyond this are left as written (no canonical text is made for them).
    static let maximumExponent = 400

    /// The canonical decimal text of `text` (`-12.5`, `0.001`, `1000`: no exponent, no leading
    /// or trailing zeros, no `+`, `0` for minus zero), or nil when `text` is not a decimal number
    /// (`[+-]digits[.digits][(e|E)[+-]digits]`, surrounding spaces allowed). Exact: no rounding.
    public static func canonical(_ text: String) -> String? {
        var scalars = Substring(text).unicodeScalars.drop { $0 == " " }
        while scalars.last == " " { scalars.removeLast() }
        var negative = false
        if let sign = scalars.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            scalars.removeFirst()
        }
        var digits: [UInt8] = []
        var pointPosition: Int?
        var exponent = 0
        var sawDigit = false
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if let value = digit(scalar) {
                digits.append(value)
                sawDigit = true
            } else if scalar == ".", pointPosition == nil {
                pointPosition = digits.count
            } else if scalar == "e" || scalar == "E" {
                guard sawDigit else { return nil }
                var rest = scalars[scalars.index(after: index)...]
                var exponentNegative = false
                if let sign = rest.first, sign == "+" || sign == "-" {
                    exponentNegative = sign == "-"
                    rest.removeFirst()
                }
                guard !rest.isEmpty, rest.count <= 6, let magnitude = Int(String(String.UnicodeScalarView(rest))),
                      rest.allSatisfy({ digit($0) != nil }) else { return nil }
                exponent = exponentNegative ? -magnitude : magnitude
                break
            } else {
                return nil
            }
            index = scalars.index(after: index)
        }
        guard sawDigit, abs(exponent) <= maximumExponent else { return nil }
        // value = 0.digits… shifted: the decimal point sits after `point` digits.
        var point = (pointPosition ?? digits.count) + exponent
        while let first = digits.first, first == 0 {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == 0 { digits.removeLast() }
        guard !digits.isEmpty else { return "0" }
        var text = negative ? "-" : ""
        let characters = digits.map { Character(Unicode.Scalar($0 + 48)) }
        if point <= 0 {
            text += "0." + String(repeating: "0", count: -point) + String(characters)
        } else if point >= characters.count {
            text += String(characters) + String(repeating: "0", count: point - characters.count)
        } else {
            text += String(characters[..<point]) + "." + String(characters[point...])
        }
        return text
    }

    private static func digit(_ scalar: Unicode.Scalar) -> UInt8? {
        scalar.value >= 48 && scalar.value <= 57 ? UInt8(scalar.value - 48) : nil
    }
}
