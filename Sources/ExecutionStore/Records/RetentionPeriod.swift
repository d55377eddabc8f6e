public import Foundation

/// How long executions and their tracking records are kept, written as a number and a unit:
/// `90d` (days), `12h` (hours), `30m` (minutes), `4w` (weeks).
public struct RetentionPeriod: Sendable, Hashable, CustomStringConvertible {
    /// The period in seconds.
    public var seconds: Int64

    /// The longest period accepted: 100 years (36,500 days).
    public static let maximumSeconds: Int64 = 36_500 * 86_400

    /// The accepted range, for error messages.
    public static let allowedRange = "1m to 36500d (100 years: at most 5214w, 36500d, 876000h or 52560000m)"

    /// Parses `90d`, `12h`, `30m` or `4w`; `nil` for anything else, a period of zero or one
    /// longer than ``maximumSeconds``.
    public init?(_ text: String) {
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0 else { return nil }
        let factor: Int64
        switch unit {
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        case "w": factor = 604_800
        default: return nil
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: factor)
        guard !overflow, product <= Self.maximumSeconds else { return nil }
        seconds = product
    }

    /// The instant `now` minus the period: executions started before it are purged.
    public func cutoff(before now: Date) -> Date {
        now.addingTimeInterval(-Double(seconds))
    }

    /// The period in the largest unit that divides it, e.g. `90d`.
    public var description: String {
        for (unit, factor) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3600), ("m", 60)]
        where seconds % factor == 0 {
            return "\(seconds / factor)\(unit)"
        }
        return "\(seconds)s"
    }
}
