import ConveyorBase
import Foundation

/// Converts dates to and from the stored text form `2024-05-01T12:34:56.789Z`
/// (ISO-8601, UTC, milliseconds), which sorts in time order as text.
public enum StoreTimestamp {
    private static let msPerDay: Int64 = 86_400_000

    /// The stored text for `date`, rounded to the nearest millisecond.
    public static func text(from date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        return RFC3339.text(micros: ms * 1000, fraction: .milliseconds)
    }

    /// The date for stored text, or `nil` when the text is not in the stored form.
    static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
              bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
              bytes[23] == UInt8(ascii: "Z"),
              let year = number(bytes, 0, 4), let month = number(bytes, 5, 2),
              let day = number(bytes, 8, 2), let hour = number(bytes, 11, 2),
              let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
              let milli = number(bytes, 20, 3),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let ms = days * msPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + milli
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int64? {
        ASCIIDigits.number(bytes, start, length)
    }
}
