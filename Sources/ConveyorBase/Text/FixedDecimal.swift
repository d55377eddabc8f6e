/// A number with a fixed count of digits after the point (`12.35`), as `String(format: "%.2f")`
/// writes it, for durations and rates on the terminal and in reports.
///
/// Written by hand: `String(format:)` boxes its arguments as `CVarArg`, whose first use in a process
/// costs the Swift runtime four conformance scans of the whole executable (about 2 M instructions of
/// every `conveyor run`'s summary line). The one difference: a value whose scaled form is exactly
/// halfway (`0.125` to two places) is rounded away from zero here, where `printf` rounds the exact
/// binary value, which is rarely exactly halfway.
public enum FixedDecimal {
    /// `value` with `places` digits after the point (0 to 9; without a point for 0).
    public static func string(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        let places = min(max(places, 0), 9)
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        // The whole part and the fraction apart, each exact in a Double: scaling the whole value
        // would round away its last digits past 2^53.
        let whole = value.magnitude.rounded(.towardZero)
        // Past 2^63 the integer form would not hold it: Swift's own shortest form instead.
        guard whole < 9.2e18 else { return "\(value)" }
        var units = UInt64(whole)
        var digits = UInt64(((value.magnitude - whole) * Double(scale)).rounded(.toNearestOrAwayFromZero))
        if digits == scale {
            units += 1
            digits = 0
        }
        var text = value.sign == .minus ? "-" : ""
        text += String(units)
        guard places > 0 else { return text }
        let fraction = String(digits)
        text += "."
        text += String(repeating: "0", count: places - fraction.count)
        text += fraction
        return text
    }
}
