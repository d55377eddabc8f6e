import Foundation
@testable import ProcessEngine
import Testing

@Suite struct ExecutionIDTests {
    /// `ex-`, the UTC second as `yyyyMMddTHHmmssZ`, `-`, eight lowercase hex digits.
    private func parts(_ id: String) -> (stamp: String, random: String)? {
        let pieces = id.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0] == "ex" else { return nil }
        return (String(pieces[1]), String(pieces[2]))
    }

    @Test func stampIsTheUTCSecondWithoutSeparators() throws {
        // 2026-11-21T12:00:00.999Z: the fraction is dropped, never rounded up.
        let id = ExecutionInfo.newID(at: Date(timeIntervalSince1970: 1_795_262_400.999))
        let (stamp, random) = try #require(parts(id))
        #expect(stamp == "20261121T120000Z")
        #expect(random.count == 8)
        #expect(random.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }

    @Test func agreesWithTheDateFormatterOverManyInstants() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        var generator = SystemRandomNumberGenerator()
        // Midnight, leap days, year ends and arbitrary instants from 1970 to 2199.
        var instants: [TimeInterval] = [0, 951_782_400, 1_709_164_799.5, 1_798_761_599.999_999, 4_102_444_800]
        for _ in 0..<2_000 { instants.append(Double(Int64.random(in: 0..<7_258_118_400, using: &generator)) + 0.25) }
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            let (stamp, _) = try #require(parts(ExecutionInfo.newID(at: date)))
            let expected = formatter.string(from: Date(timeIntervalSince1970: instant.rounded(.down)))
            #expect(stamp == expected, "at \(instant)")
        }
    }

    @Test func idsDiffer() {
        let date = Date()
        let ids = Set((0..<1_000).map { _ in ExecutionInfo.newID(at: date) })
        #expect(ids.count > 990)
    }
}
