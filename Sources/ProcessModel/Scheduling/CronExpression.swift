/// A five-field cron expression (`minute hour day-of-month month day-of-week`).
///
/// Fields accept `*`, numbers, ranges (`1-5`), steps (`*/15`, `10-40/10`), lists (`1,15,30`)
/// and names for months (`JAN`–`DEC`) and days (`SUN`–`SAT`, case-insensitive). Day of week
/// runs 0–7 with both 0 and 7 meaning Sunday. The macros `@yearly` (`@annually`), `@monthly`,
/// `@weekly`, `@daily` (`@midnight`) and `@hourly` stand for their usual expressions.
/// As in classic cron, when both day fields are restricted a day matching either runs.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// Days of week, 0 (Sunday) to 6.
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `text`; throws a ``CronError`` naming the field and what is wrong with it.
    public init(_ text: String) throws(CronError) {
        let trimmed = text.trimmingWhitespace()
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        if expanded.hasPrefix("@") {
            throw CronError(expression: text, message: "unknown macro '\(trimmed)' (known: \(Self.macroNames))")
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError(expression: text, message: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        self.text = text
        minutes = try Self.parse(fields[0], field: .minute, expression: text)
        hours = try Self.parse(fields[1], field: .hour, expression: text)
        daysOfMonth = try Self.parse(fields[2], field: .dayOfMonth, expression: text)
        months = try Self.parse(fields[3], field: .month, expression: text)
        let weekdays = try Self.parse(fields[4], field: .dayOfWeek, expression: text)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    public var description: String { text }

    /// Whether the expression matches this calendar day (month, day of month and weekday).
    func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let domMatch = daysOfMonth.contains(day)
        let dowMatch = daysOfWeek.contains(weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static var macroNames: String { macros.keys.sorted().joined(separator: ", ") }
}

/// A cron expression that could not be parsed.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public var expression: String
    /// What is wrong, naming the field.
    public var message: String

    /// Creates an error for `expression`.
    public init(expression: String, message: String) {
        self.expression = expression
        self.message = message
    }

    public var description: String { "cron '\(expression)': \(message)" }
}
