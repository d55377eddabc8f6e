/// Parses the civil date and time texts BigQuery accepts, without Foundation's formatters.
enum CivilTime {
    /// `YYYY-MM-DD` at the start of `bytes`: days since 1970-01-01 and what follows.
    static func date(_ bytes: ArraySlice<UInt8>) -> (days: Int64, rest: ArraySlice<UInt8>)? {
        guard bytes.count >= 10 else { return nil }
        let start = bytes.startIndex
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              let year = number(bytes, start, 4), let month = number(bytes, start + 5, 2),
              let day = number(bytes, start + 8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        return (days(year, month, day), bytes[(start + 10)...])
    }

    /// A timestamp text as microseconds since the epoch.
    static func timestampMicros(_ text: String) -> Int64? {
        timestampMicros(utf8: Array(text.trimmingCharacters(in: .whitespaces).utf8)[...])
    }

    /// A timestamp text (UTF-8, no surrounding spaces) as microseconds since the epoch.
    static func timestampMicros(utf8 bytes: ArraySlice<UInt8>) -> Int64? {
        guard let (days, rest) = date(bytes) else { return nil }
        var micros = days * 86_400_000_000
        var index = rest.startIndex
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t")
            || bytes[index] == UInt8(ascii: " ") {
            index += 1
            guard index + 8 <= bytes.endIndex, bytes[index + 2] == UInt8(ascii: ":"),
                  let hour = number(bytes[...], index, 2), let minute = number(bytes[...], index + 3, 2) else { return nil }
            var second: Int64 = 0
            if bytes[index + 5] == UInt8(ascii: ":") {
                guard let value = number(bytes[...], index + 6, 2) else { return nil }
                second = value
                index += 8
            } else {
                index += 5
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
            micros += ((hour * 60 + minute) * 60 + second) * 1_000_000
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
                index += 1
                var scale: Int64 = 100_000
                var digits = 0
                while index < bytes.endIndex, (48...57).contains(bytes[index]) {
                    micros += Int64(bytes[index] - 48) * scale
                    scale /= 10
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        if index == bytes.endIndex { return micros }
        if index + 1 == bytes.endIndex, bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") { return micros }
        let zone = String(decoding: bytes[index...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        switch zone {
        case "", "Z", "z", "UTC", "+00", "+00:00": return micros
        default:
            let signs: [Character: Int64] = ["+": 1, "-": -1]
            guard let first = zone.first, let sign = signs[first] else { return nil }
            let parts = zone.dropFirst().split(separator: ":")
            guard let hours = parts.first.flatMap({ Int64($0) }), hours < 24 else { return nil }
            let minutes = parts.count > 1 ? Int64(parts[1]) ?? 99 : 0
            guard minutes < 60 else { return nil }
            return micros - sign * (hours * 60 + minutes) * 60_000_000
        }
    }

    private static func number(_ bytes: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> Int64? {
        guard start + length <= bytes.endIndex else { return nil }
        var value: Int64 = 0
        for byte in bytes[start..<(start + length)] {
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension CivilTime {
    /// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    static func rfc3339(micros: Int64) -> String {
        var days = micros / 86_400_000_000
        var rest = micros % 86_400_000_000
        if rest < 0 {
            rest += 86_400_000_000
            days -= 1
        }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPart = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPart + 2) / 5 + 1
        let month = monthPart < 10 ? monthPart + 3 : monthPart - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let seconds = rest / 1_000_000
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
            + "\(pad(seconds % 60, 2)).\(pad(rest % 1_000_000, 6))Z"
    }
}
