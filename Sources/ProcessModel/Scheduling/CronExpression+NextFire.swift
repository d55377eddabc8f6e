import ConveyorBase
public import Foundation

extension CronExpression {
    /// The first time strictly after `date` at which the expression fires, reading its fields as
    /// wall-clock time in `timeZone`; nil when it never fires (such as `0 0 30 2 *`).
    ///
    /// Daylight saving time: a wall-clock time skipped when clocks go forward fires once at the
    /// instant the clocks jump (so a daily job still runs that day); a wall-clock time that
    /// happens twice when clocks go back fires once, at its first occurrence.
    public func nextFire(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let nextMinute = Date(timeIntervalSince1970: (floor(date.timeIntervalSince1970 / 60) + 1) * 60)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: nextMinute)
        guard let year = parts.year, let month = parts.month, let day = parts.day,
              let hour = parts.hour, let minute = parts.minute else { return nil }
        var cursor = LocalMinute(year: year, month: month, day: day, hour: hour, minute: minute)
        let lastYear = year + 8
        while let match = nextMatch(from: cursor, lastYear: lastYear) {
            if let fire = resolve(match, calendar: calendar, timeZone: timeZone), fire > date { return fire }
            cursor = match
            cursor.advanceMinute()
        }
        return nil
    }

    /// The first wall-clock minute at or after `start` the fields select.
    func nextMatch(from start: LocalMinute, lastYear: Int) -> LocalMinute? {
        var t = start
        while t.year <= lastYear {
            if !months.contains(t.month) {
                t.month += 1
                t.day = 1; t.hour = 0; t.minute = 0
                t.normalize()
            } else if !matchesDay(month: t.month, day: t.day, weekday: t.weekday) {
                t.day += 1
                t.hour = 0; t.minute = 0
                t.normalize()
            } else if !hours.contains(t.hour) {
                t.hour += 1
                t.minute = 0
                t.normalize()
            } else if !minutes.contains(t.minute) {
                t.advanceMinute()
            } else {
                return t
            }
        }
        return nil
    }

    /// The instant of a wall-clock minute; for a minute skipped by a clock change, the instant of the change.
    private func resolve(_ local: LocalMinute, calendar: Calendar, timeZone: TimeZone) -> Date? {
        let components = DateComponents(year: local.year, month: local.month, day: local.day,
                                        hour: local.hour, minute: local.minute)
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        if back.year == local.year, back.month == local.month, back.day == local.day,
           back.hour == local.hour, back.minute == local.minute {
            return date
        }
        return timeZone.nextDaylightSavingTimeTransition(after: date.addingTimeInterval(-4 * 3600)) ?? date
    }
}

/// A wall-clock minute (no time zone), with calendar arithmetic.
struct LocalMinute: Sendable, Hashable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int

    mutating func advanceMinute() {
        minute += 1
        normalize()
    }

    /// Carries overflowing minutes, hours, days and months into the next larger unit.
    mutating func normalize() {
        if minute > 59 { minute = 0; hour += 1 }
        if hour > 23 { hour = 0; day += 1 }
        if day > Self.daysIn(month: month, year: year) { day = 1; month += 1 }
        if month > 12 { month = 1; year += 1 }
    }

    /// 0 for Sunday to 6 for Saturday.
    var weekday: Int {
        Int(CivilCalendar.weekday(days: CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day))))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
