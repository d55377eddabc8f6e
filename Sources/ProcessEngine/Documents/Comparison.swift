import ConveyorBase
import Foundation
import ProcessModel

/// Compares two values as a decision shape does: as text, numbers or dates. A value that is
/// not of the compared type is an error, never a silent `false`.
public struct Comparison: Sendable {
    public var op: DecisionDefinition.Operator
    public var type: DecisionDefinition.ValueType
    /// A date pattern for `datetime` values; nil reads ISO 8601 / RFC 3339 and `yyyy-MM-dd`.
    public var format: String?

    public init(op: DecisionDefinition.Operator, type: DecisionDefinition.ValueType, format: String? = nil) {
        self.op = op
        self.type = type
        self.format = format
    }

    /// Whether `left op right` holds.
    public func evaluate(_ left: String, _ right: String) throws(DocumentError) -> Bool {
        switch op {
        case .regex:
            return try Self.fullMatch(left, pattern: right, what: "regular expression")
        case .wildcard:
            return try Self.fullMatch(left, pattern: Self.wildcardPattern(right), what: "wildcard")
        case .eq, .ne, .gt, .ge, .lt, .le:
            let order: ComparisonResult
            switch type {
            case .character:
                order = left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
            case .number:
                order = Self.order(try Self.number(left, side: "left"), try Self.number(right, side: "right"))
            case .datetime:
                order = Self.order(try date(left, side: "left"), try date(right, side: "right"))
            }
            switch op {
            case .eq: return order == .orderedSame
            case .ne: return order != .orderedSame
            case .gt: return order == .orderedDescending
            case .ge: return order != .orderedAscending
            case .lt: return order == .orderedAscending
            default: return order != .orderedDescending
            }
        }
    }

    /// Whether `left op right` holds, taking `regex` and `wildcard` patterns compiled from `patterns`
    /// (each distinct pattern compiles once).
    func evaluate(_ left: String, _ right: String, patterns: PatternCache) throws(DocumentError) -> Bool {
        switch op {
        case .regex:
            return Self.matches(left, try patterns.expression(for: right, what: "regular expression"))
        case .wildcard:
            return Self.matches(left, try patterns.expression(for: Self.wildcardPattern(right), what: "wildcard"))
        default:
            return try evaluate(left, right)
        }
    }

    private static func order<T: Comparable>(_ left: T, _ right: T) -> ComparisonResult {
        left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
    }

    /// A decimal number: optional sign, digits with an optional fraction, optional exponent.
    static func number(_ text: String, side: String) throws(DocumentError) -> Decimal {
        let trimmed = text.trimming(.whitespaces)
        let shape = #"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"#
        guard trimmed.range(of: shape, options: .regularExpression) != nil,
              let value = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")) else {
            throw DocumentError("\(side) value '\(text)' is not a number", code: .decision)
        }
        return value
    }

    private func date(_ text: String, side: String) throws(DocumentError) -> Date {
        if let format {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.isLenient = false
            formatter.dateFormat = format
            guard let date = formatter.date(from: text) else {
                throw DocumentError("\(side) value '\(text)' is not a date in the format '\(format)'", code: .decision)
            }
            return date
        }
        guard let date = Self.isoDate(text) else {
            throw DocumentError("\(side) value '\(text)' is not an ISO 8601 date or date-time", code: .decision)
        }
        return date
    }

    /// `yyyy-MM-dd`, or `yyyy-MM-ddTHH:mm[:ss[.fraction]]` with an optional `Z`/`±hh:mm` (UTC when absent).
    static func isoDate(_ text: String) -> Date? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|z|[+-]\d{2}:?\d{2})?)?$"#
        guard let expression = try? NSRegularExpression(pattern: pattern),
              let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else {
            return nil
        }
        func group(_ number: Int) -> String? {
            guard let range = Range(match.range(at: number), in: text) else { return nil }
            return String(text[range])
        }
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        var components = DateComponents(calendar: calendar, timeZone: utc)
        components.year = group(1).flatMap { Int($0) }
        components.month = group(2).flatMap { Int($0) }
        components.day = group(3).flatMap { Int($0) }
        components.hour = group(4).flatMap { Int($0) } ?? 0
        components.minute = group(5).flatMap { Int($0) } ?? 0
        components.second = group(6).flatMap { Int($0) } ?? 0
        guard components.isValidDate, (components.hour ?? 0) < 24, (components.minute ?? 0) < 60,
              (components.second ?? 0) < 61, let base = components.date else { return nil }
        var date = base
        if let fraction = group(7), let seconds = Double("0" + fraction) { date += seconds }
        if let zone = group(8), zone != "Z", zone != "z" {
            let digits = zone.dropFirst().filter { $0 != ":" }
            guard let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)) else { return nil }
            let offset = TimeInterval(hours * 3600 + minutes * 60)
            date -= zone.hasPrefix("-") ? -offset : offset
        }
        return date
    }

    /// True when the whole of `text` matches `pattern` (an NSRegularExpression pattern).
    static func fullMatch(_ text: String, pattern: String, what: String) throws(DocumentError) -> Bool {
        matches(text, try PatternCache.compile(pattern, what: what).get())
    }

    /// True when `expression` (anchored at both ends) matches `text`.
    static func matches(_ text: String, _ expression: NSRegularExpression) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// A wildcard (`*` any run, `?` one character) as a regular expression.
    static func wildcardPattern(_ wildcard: String) -> String {
        var pattern = ""
        for character in wildcard {
            switch character {
            case "*": pattern += ".*"
            case "?": pattern += "."
            default: pattern += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return pattern
    }
}
