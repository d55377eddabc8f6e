import ConveyorBase

/// Parses the civil date and time texts BigQuery accepts, without Foundation's formatters.
enum CivilTime {
    /// `YYYY-MM-DD` at the start of `bytes`: days since 1970-01-01 and what follows.
    static func date(_ bytes: ArraySlice<UInt8>) -> (days: Int64, rest: ArraySlice<UInt8>)? {
        guard bytes.count >= 10, let days = bytes.withUnsafeBufferPointer({ plainDays($0) }) else { return nil }
        return (days, bytes[(bytes.startIndex + 10)...])
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

    /// The plain timestamp `YYYY-MM-DD[Tt ]HH:MM:SS[.fraction][Zz]` (the form JSON rows usually
    /// carry) as ``timestampMicros(utf8:)`` reads it; nil for any other form, which that reads.
    @inline(__always)
    static func plainTimestampMicros(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text.count >= 19, let days = plainDays(text) else { return nil }
        let separator = text[10]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " "),
              text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"),
              let hour = twoDigits(text, 11), let minute = twoDigits(text, 14), let second = twoDigits(text, 17),
              hour < 24, minute < 60, second < 61 else { return nil }
        var micros = days &* 86_400_000_000 &+ ((hour &* 60 &+ minute) &* 60 &+ second) &* 1_000_000
        var index = 19
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index &+= 1
            let first = index
            var scale: Int64 = 100_000
            while index < text.count, text[index] &- UInt8(ascii: "0") < 10 {
                micros &+= Int64(text[index] &- UInt8(ascii: "0")) &* scale
                scale /= 10
                index &+= 1
            }
            guard index > first else { return nil }
        }
        if index == text.count { return micros }
        if index &+ 1 == text.count, text[index] | 0x20 == UInt8(ascii: "z") { return micros }
        return nil
    }

    /// A date of exactly `YYYY-MM-DD` as days since 1970-01-01, as ``date(_:)`` reads it (with
    /// nothing after it); nil otherwise.
    @inline(__always)
    static func plainDateDays(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        text.count == 10 ? plainDays(text) : nil
    }

    /// The `YYYY-MM-DD` at the start of `text` (at least ten bytes): month 1...12, day 1...31 (a day
    /// past the month's end rolls over).
    @inline(__always)
    private static func plainDays(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
              let high = twoDigits(text, 0), let low = twoDigits(text, 2),
              let month = twoDigits(text, 5), let day = twoDigits(text, 8),
              month >= 1, month <= 12, day >= 1, day <= 31 else { return nil }
        return days(high &* 100 &+ low, month, day)
    }

    @inline(__always)
    private static func twoDigits(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int64? {
        let tens = text[start] &- UInt8(ascii: "0")
        let ones = text[start &+ 1] &- UInt8(ascii: "0")
        guard tens < 10, ones < 10 else { return nil }
        return Int64(tens &* 10 &+ ones)
    }

    private static func number(_ bytes: ArraySlice<UInt8>, _ start: Int, _ length: Int) -> Int64? {
        ASCIIDigits.number(bytes, start, length)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        CivilCalendar.days(year: year, month: month, day: day)
    }
}

extension CivilTime {
    /// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fraction digits).
    static func rfc3339(micros: Int64) -> String {
        RFC3339.text(micros: micros, fraction: .microseconds)
    }
}
