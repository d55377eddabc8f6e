import Foundation

/// A number pattern such as `#,##0.00` or `0.###`, applied with `en_US_POSIX` symbols.
///
/// `0` is a digit always written, `#` a digit written when significant, `,` marks the grouping
/// size (digits after the last `,` of the integer part), `.` the decimal point; text before
/// and after the digits (`€ #,##0.00`, `0.0 kg`) is copied. Values are rounded half away from
/// zero to the pattern's fraction digits.
struct NumberPattern: Sendable, Hashable {
    let pattern: String
    let prefix: String
    let suffix: String
    let groupingSize: Int?
    let minimumIntegerDigits: Int
    let minimumFractionDigits: Int
    let maximumFractionDigits: Int

    /// Parses `pattern`; nil when it has no digit placeholders or is not of this form.
    init?(_ pattern: String) {
        let symbols: Set<Character> = ["#", "0", ",", "."]
        guard let first = pattern.firstIndex(where: { symbols.contains($0) }),
              let last = pattern.lastIndex(where: { symbols.contains($0) }) else { return nil }
        let body = pattern[first...last]
        guard body.allSatisfy({ symbols.contains($0) }), body.contains(where: { $0 == "#" || $0 == "0" }) else { return nil }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integer = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !fraction.contains(","), !fraction.contains(".") else { return nil }
        self.pattern = pattern
        prefix = String(pattern[..<first])
        suffix = String(pattern[pattern.index(after: last)...])
        if let comma = integer.lastIndex(of: ",") {
            let size = integer[integer.index(after: comma)...].count
            guard size > 0 else { return nil }
            groupingSize = size
        } else {
            groupingSize = nil
        }
        minimumIntegerDigits = integer.filter { $0 == "0" }.count
        minimumFractionDigits = fraction.filter { $0 == "0" }.count
        maximumFractionDigits = fraction.count
    }

    /// A pattern with exactly `decimals` fraction digits and no grouping (`0.00` for 2).
    init(decimals: Int) {
        let text = decimals > 0 ? "0." + String(repeating: "0", count: decimals) : "0"
        pattern = text
        prefix = ""
        suffix = ""
        groupingSize = nil
        minimumIntegerDigits = 1
        minimumFractionDigits = decimals
        maximumFractionDigits = decimals
    }

    /// Writes `number` in this pattern.
    func format(_ number: Decimal) -> String {
        var value = number
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, maximumFractionDigits, .plain)
        let negative = rounded < 0
        let magnitude = negative ? -rounded : rounded
        let text = magnitude.description
        let pieces = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var integer = String(pieces[0])
        var fraction = pieces.count > 1 ? String(pieces[1]) : ""
        if fraction.count < minimumFractionDigits {
            fraction += String(repeating: "0", count: minimumFractionDigits - fraction.count)
        }
        while fraction.count > minimumFractionDigits, fraction.last == "0" { fraction.removeLast() }
        if integer == "0" { integer = "" }
        if integer.count < minimumIntegerDigits {
            integer = String(repeating: "0", count: minimumIntegerDigits - integer.count) + integer
        }
        if let groupingSize, integer.count > groupingSize {
            var grouped: [Character] = []
            for (offset, character) in integer.reversed().enumerated() {
                if offset > 0, offset % groupingSize == 0 { grouped.append(",") }
                grouped.append(character)
            }
            integer = String(grouped.reversed())
        }
        if integer.isEmpty && fraction.isEmpty { integer = "0" }
        let isZero = magnitude.isZero
        return (negative && !isZero ? "-" : "") + prefix + integer + (fraction.isEmpty ? "" : "." + fraction) + suffix
    }
}
