/// Day arithmetic of the proleptic Gregorian calendar, counted from 1970-01-01
/// (Howard Hinnant's `days_from_civil` and `civil_from_days`). Every date and time text of the
/// package goes through here: BigQuery DATE and TIMESTAMP values, the store's timestamps,
/// HTTP dates and cron weekdays.
public enum CivilCalendar {
    /// Days since 1970-01-01 of `year-month-day` (month 1…12; days past the month's end roll over).
    @inlinable
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        // 1970–2099, where every fourth year is a leap year: the days of the years before, of the
        // months before (the 30.58-day month of `(367 m - 362) / 12`, less February's shortfall),
        // and of the month.
        if year >= 1970, year <= 2099, month >= 1, month <= 12 {
            let monthsBefore = (367 &* month &- 362) / 12 &- (month <= 2 ? 0 : (year & 3 == 0 ? 1 : 2))
            return (year &- 1970) &* 365 &+ (year &- 1969) >> 2 &+ monthsBefore &+ day &- 1
        }
        return anyDays(year: year, month: month, day: day)
    }

    /// ``days(year:month:day:)`` for any year.
    @inlinable
    static func anyDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01 (before it when negative).
    @inlinable
    public static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPart = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPart + 2) / 5 + 1
        let month = monthPart < 10 ? monthPart + 3 : monthPart - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 for Sunday to 6 for Saturday.
    @inlinable
    public static func weekday(days: Int64) -> Int64 {
        // 1970-01-01 was a Thursday.
        ((days % 7) + 7 + 4) % 7
    }

    /// `value / divisor` rounded towards negative infinity (`divisor` > 0).
    @inlinable
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}

/// Fixed-width decimal fields of ASCII text (`2024`, `05`), without Foundation.
public enum ASCIIDigits {
    /// The `length` digits at `start` as a number, or nil when one is not a digit or they run
    /// past the end.
    @inlinable
    public static func number<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ start: Bytes.Index,
                                                                     _ length: Int) -> Int64? where Bytes.Index == Int {
        guard start >= bytes.startIndex, start + length <= bytes.endIndex else { return nil }
        var value: Int64 = 0
        var index = start
        while index < start + length {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte &- UInt8(ascii: "0"))
            index += 1
        }
        return value
    }

    /// Plain integer text — an optional minus, then 1 to 18 digits, nothing else — as Int64 (18
    /// digits always fit); nil for anything else, longer numbers included.
    @inlinable
    public static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = !text.isEmpty && text[0] == UInt8(ascii: "-")
        let first = negative ? 1 : 0
        guard first < text.count, text.count - first <= 18, let magnitude = number(text, first, text.count - first) else {
            return nil
        }
        return negative ? -magnitude : magnitude
    }
}
