/// RFC 3339 UTC text of a point in time (`2026-11-20T09:15:00.123456Z`).
public enum RFC3339 {
    /// How the fraction of a second is written.
    public enum Fraction: Sendable, Hashable {
        /// Always six digits (`…:00.000000Z`): what the Storage Write API path sends and the
        /// dead-letter files record.
        case microseconds
        /// Six digits, left out when they are all zero (`…:00Z`): BigQuery TIMESTAMP cells as
        /// the query results give them.
        case microsecondsUnlessZero
        /// Always three digits (`…:00.000Z`), microseconds dropped: the execution store's stamps,
        /// which sort in time order as text.
        case milliseconds
    }

    /// `micros` microseconds since 1970-01-01T00:00:00Z as text.
    @inlinable
    public static func text(micros: Int64, fraction: Fraction) -> String {
        let perDay: Int64 = 86_400_000_000
        let days = CivilCalendar.floorDivide(micros, perDay)
        let ofDay = micros - days * perDay
        let (year, month, day) = CivilCalendar.date(days: days)
        let seconds = ofDay / 1_000_000
        let fractionMicros = ofDay % 1_000_000
        guard (0...9999).contains(year) else {
            return wideYearText(year: year, month: month, day: day, seconds: seconds, micros: fractionMicros,
                                fraction: fraction)
        }
        let digits: Int
        switch fraction {
        case .microseconds: digits = 6
        case .microsecondsUnlessZero: digits = fractionMicros == 0 ? 0 : 6
        case .milliseconds: digits = 3
        }
        let length = 20 + (digits == 0 ? 0 : digits + 1)
        return String(unsafeUninitializedCapacity: length) { buffer in
            var at = 0
            func put(_ value: Int64, _ width: Int) {
                var rest = value
                var position = at + width - 1
                while position >= at {
                    buffer[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
                    rest /= 10
                    position -= 1
                }
                at += width
            }
            func mark(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            put(year, 4); mark(UInt8(ascii: "-")); put(month, 2); mark(UInt8(ascii: "-")); put(day, 2)
            mark(UInt8(ascii: "T")); put(seconds / 3600, 2); mark(UInt8(ascii: ":")); put(seconds / 60 % 60, 2)
            mark(UInt8(ascii: ":")); put(seconds % 60, 2)
            if digits == 6 {
                mark(UInt8(ascii: ".")); put(fractionMicros, 6)
            } else if digits == 3 {
                mark(UInt8(ascii: ".")); put(fractionMicros / 1000, 3)
            }
            mark(UInt8(ascii: "Z"))
            return at
        }
    }

    /// Years outside 0…9999, written as the decimal text of the year padded to four characters.
    @usableFromInline
    static func wideYearText(year: Int64, month: Int64, day: Int64, seconds: Int64, micros: Int64,
                             fraction: Fraction) -> String {
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(seconds / 3600, 2) + ":"
            + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        switch fraction {
        case .microseconds: text += "." + pad(micros, 6)
        case .microsecondsUnlessZero: if micros != 0 { text += "." + pad(micros, 6) }
        case .milliseconds: text += "." + pad(micros / 1000, 3)
        }
        return text + "Z"
    }
}
