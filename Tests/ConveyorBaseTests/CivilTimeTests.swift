@testable import ConveyorBase
import Testing

@Suite struct CivilTimeTests {
    @Test func daysAndDatesRoundTripAcrossErasAndLeapDays() {
        #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilCalendar.days(year: 2000, month: 2, day: 29) == 11_016)
        #expect(CivilCalendar.days(year: 1600, month: 3, day: 1) == -135_080)
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = CivilCalendar.date(days: days)
            #expect(CivilCalendar.days(year: date.year, month: date.month, day: date.day) == days)
        }
        #expect(CivilCalendar.date(days: 11_016) == (2000, 2, 29))
        #expect(CivilCalendar.date(days: -1) == (1969, 12, 31))
    }

    @Test("the years 1970–2099 counted directly give what the era arithmetic gives, past each month's end too")
    func directCountAgreesWithTheEraArithmetic() {
        for year in Int64(1960)...2110 {
            for month in Int64(1)...12 {
                for day in [Int64(-400), -31, 0, 1, 15, 28, 29, 30, 31, 32, 61, 400] {
                    #expect(CivilCalendar.days(year: year, month: month, day: day)
                        == CivilCalendar.anyDays(year: year, month: month, day: day), "\(year)-\(month)-\(day)")
                }
            }
        }
    }

    @Test func weekdaysCountFromThursdayTheFirstOfJanuary1970() {
        #expect(CivilCalendar.weekday(days: 0) == 4)
        #expect(CivilCalendar.weekday(days: -1) == 3)
        #expect(CivilCalendar.weekday(days: CivilCalendar.days(year: 2026, month: 12, day: 4)) == 5)
    }

    @Test func floorDivisionRoundsTowardsNegativeInfinity() {
        #expect(CivilCalendar.floorDivide(-1, 400) == -1)
        #expect(CivilCalendar.floorDivide(-400, 400) == -1)
        #expect(CivilCalendar.floorDivide(399, 400) == 0)
    }

    /// The three users used to carry their own copies; a zero fraction is where they differed.
    @Test func zeroFractionsFollowTheChosenStyle() {
        let whole: Int64 = 1_763_630_100_000_000
        #expect(RFC3339.text(micros: whole, fraction: .microseconds) == "2025-11-20T09:15:00.000000Z")
        #expect(RFC3339.text(micros: whole, fraction: .microsecondsUnlessZero) == "2025-11-20T09:15:00Z")
        #expect(RFC3339.text(micros: whole, fraction: .milliseconds) == "2025-11-20T09:15:00.000Z")
        #expect(RFC3339.text(micros: whole + 123_456, fraction: .microseconds) == "2025-11-20T09:15:00.123456Z")
        #expect(RFC3339.text(micros: whole + 123_456, fraction: .microsecondsUnlessZero) == "2025-11-20T09:15:00.123456Z")
        #expect(RFC3339.text(micros: whole + 123_456, fraction: .milliseconds) == "2025-11-20T09:15:00.123Z")
        #expect(RFC3339.text(micros: whole + 1, fraction: .microsecondsUnlessZero) == "2025-11-20T09:15:00.000001Z")
    }

    @Test func instantsBeforeTheEpochAndOutsideFourDigitYears() {
        #expect(RFC3339.text(micros: -1, fraction: .microseconds) == "1969-12-31T23:59:59.999999Z")
        #expect(RFC3339.text(micros: -1_000, fraction: .milliseconds) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.text(micros: 0, fraction: .microsecondsUnlessZero) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.text(micros: 253_402_300_799_999_999, fraction: .microseconds) == "9999-12-31T23:59:59.999999Z")
        #expect(RFC3339.text(micros: 253_402_300_800_000_000, fraction: .microsecondsUnlessZero) == "10000-01-01T00:00:00Z")
        #expect(RFC3339.text(micros: -62_135_596_800_000_000, fraction: .microsecondsUnlessZero) == "0001-01-01T00:00:00Z")
    }

    @Test func fixedWidthDigitsRejectNonDigitsAndShortText() {
        let bytes = Array("2024-05".utf8)
        #expect(ASCIIDigits.number(bytes, 0, 4) == 2024)
        #expect(ASCIIDigits.number(bytes, 5, 2) == 5)
        #expect(ASCIIDigits.number(bytes, 3, 2) == nil)
        #expect(ASCIIDigits.number(bytes, 6, 2) == nil)
        #expect(ASCIIDigits.number(bytes[5...], 5, 2) == 5)
    }

    @Test("plain integer text: an optional minus and 1 to 18 digits, as Int64(text) reads it; nothing else")
    func plainIntegers() {
        func integer(_ text: String) -> Int64? { Array(text.utf8).withUnsafeBufferPointer { ASCIIDigits.integer($0) } }
        for text in ["0", "-0", "7", "-7", "007", "999999999999999999", "-999999999999999999", "1700000000123456"] {
            #expect(integer(text) == Int64(text), "\(text)")
        }
        for text in ["", "-", "--1", "+1", "1.5", "1e3", " 1", "1 ", "1000000000000000000", "9223372036854775807", "0x1", "١"] {
            #expect(integer(text) == nil, "\(text)")
        }
    }
}
