import Foundation
import ProcessModel
import Testing

@Suite struct CronExpressionTests {
    let utc = TimeZone(identifier: "UTC")!
    let paris = TimeZone(identifier: "Europe/Paris")!
    let newYork = TimeZone(identifier: "America/New_York")!

    func date(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        return try #require(formatter.date(from: text), "bad date \(text)")
    }

    func next(_ cron: String, after: String, in zone: TimeZone? = nil) throws -> String? {
        let expression = try CronExpression(cron)
        let fire = expression.nextFire(after: try date(after), in: zone ?? utc)
        return fire.map { ISO8601DateFormatter().string(from: $0) }
    }

    @Test func listsRangesStepsAndNames() throws {
        #expect(try next("*/15 * * * *", after: "2026-01-01T10:07:00Z") == "2026-01-01T10:15:00Z")
        #expect(try next("10-40/10 * * * *", after: "2026-01-01T10:40:00Z") == "2026-01-01T11:10:00Z")
        #expect(try next("0 9,17 * * *", after: "2026-01-01T09:00:00Z") == "2026-01-01T17:00:00Z")
        #expect(try next("0 0 1 jan,Jul *", after: "2026-02-01T00:00:00Z") == "2026-07-01T00:00:00Z")
        // 2026-01-02 is a Friday: the next MON-FRI 08:30 after Friday 09:00 is Monday.
        #expect(try next("30 8 * * MON-FRI", after: "2026-01-02T09:00:00Z") == "2026-01-05T08:30:00Z")
        // 7 is Sunday too.
        #expect(try next("0 12 * * 7", after: "2026-01-01T00:00:00Z") == "2026-01-04T12:00:00Z")
        #expect(try next("5/20 * * * *", after: "2026-01-01T10:46:00Z") == "2026-01-01T11:05:00Z")
    }

    @Test func macros() throws {
        #expect(try next("@hourly", after: "2026-01-01T10:07:00Z") == "2026-01-01T11:00:00Z")
        #expect(try next("@daily", after: "2026-01-01T10:07:00Z") == "2026-01-02T00:00:00Z")
        #expect(try next("@weekly", after: "2026-01-01T10:07:00Z") == "2026-01-04T00:00:00Z")
        #expect(try next("@yearly", after: "2026-01-01T10:07:00Z") == "2027-01-01T00:00:00Z")
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothRestricted() throws {
        // The 13th or any Friday: 2026-02-06 is a Friday, before Friday the 13th.
        #expect(try next("0 0 13 * FRI", after: "2026-02-01T00:00:00Z") == "2026-02-06T00:00:00Z")
        // Only the day of month restricted: the 31st skips short months.
        #expect(try next("0 0 31 * *", after: "2026-02-01T00:00:00Z") == "2026-03-31T00:00:00Z")
        // 29 February: the next leap year.
        #expect(try next("0 0 29 2 *", after: "2026-01-01T00:00:00Z") == "2028-02-29T00:00:00Z")
        // 30 February never comes.
        #expect(try next("0 0 30 2 *", after: "2026-01-01T00:00:00Z") == nil)
    }

    @Test func syntaxErrorsNameTheField() {
        let cases: [(String, String)] = [
            ("* * * *", "expected 5 fields"),
            ("60 * * * *", "minute field '60': 60 is out of range 0-59"),
            ("* 24 * * *", "hour field"),
            ("* * 0 * *", "day-of-month field '0'"),
            ("* * * 13 *", "month field"),
            ("* * * * 8", "day-of-week field"),
            ("*/0 * * * *", "step '0' must be a positive number"),
            ("5-1 * * * *", "runs backwards"),
            ("* * * FOO *", "'FOO' is not a number"),
            ("1,,2 * * * *", "empty list item"),
            ("@often", "unknown macro"),
        ]
        for (text, expected) in cases {
            #expect(throws: CronError.self) { try CronExpression(text) }
            do {
                _ = try CronExpression(text)
            } catch {
                #expect(error.description.contains(expected), "\(text): \(error)")
            }
        }
    }

    @Test func springForwardFiresOnceAtTheJump() throws {
        // Paris, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z). 02:30 does not exist.
        #expect(try next("30 2 * * *", after: "2026-03-28T12:00:00Z", in: paris) == "2026-03-29T01:00:00Z")
        // The day after, 02:30 CEST is 00:30Z.
        #expect(try next("30 2 * * *", after: "2026-03-29T01:00:00Z", in: paris) == "2026-03-30T00:30:00Z")
        // Every 15 minutes in the skipped hour still fires once, at the jump.
        #expect(try next("*/15 2 * * *", after: "2026-03-29T00:50:00Z", in: paris) == "2026-03-29T01:00:00Z")
        #expect(try next("*/15 2 * * *", after: "2026-03-29T01:00:00Z", in: paris) == "2026-03-30T00:00:00Z")
    }

    @Test func fallBackFiresOnce() throws {
        // New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST. 01:30 happens twice.
        let first = try next("30 1 * * *", after: "2026-11-01T04:00:00Z", in: newYork)
        #expect(first == "2026-11-01T05:30:00Z")
        // After the first 01:30 the next fire is the following day, not the repeated hour.
        #expect(try next("30 1 * * *", after: "2026-11-01T05:30:00Z", in: newYork) == "2026-11-02T06:30:00Z")
        // A daily 09:00 keeps local time across the change: 13:00Z before, 14:00Z after.
        #expect(try next("0 9 * * *", after: "2026-10-31T14:00:00Z", in: newYork) == "2026-11-01T14:00:00Z")
        #expect(try next("0 9 * * *", after: "2026-10-30T14:00:00Z", in: newYork) == "2026-10-31T13:00:00Z")
    }
}
