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
        timestampMicros(utf8: Array(text.trimming(.whitespaces).utf8)[...])
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
        let zone = String(decoding: bytes[index...], as: UTF8.self).trimming(.whitespaces)
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
        if let micros = canonicalTimestampMicros(text) { return micros }
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

    /// The canonical timestamp `YYYY-MM-DDTHH:MM:SS.ffffffZ` (27 bytes, what BigQuery and most
    /// exporters write) as ``plainTimestampMicros(_:)`` reads it, from four eight-byte words: the
    /// separators and the digits of each word are checked at once; nil for any other text.
    @inline(__always)
    static func canonicalTimestampMicros(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard text.count == 27, let base = text.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        // Bytes 0–7 `YYYY-MM-`, 8–15 `DDTHH:MM`, 16–23 `:SS.ffff`, 19–26 `.ffffffZ` (the first byte lowest).
        let date = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let clock = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let seconds = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        let fraction = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 19, as: UInt64.self))
        // Each word: its separator bytes equal, its other bytes digits.
        guard date & 0xFF00_00FF_0000_0000 == 0x2D00_002D_0000_0000, isDigits(date, 0x00FF_FF00_FFFF_FFFF),
              clock & 0x0000_FF00_00FF_0000 == 0x0000_3A00_0054_0000, isDigits(clock, 0xFFFF_00FF_FF00_FFFF),
              seconds & 0x0000_0000_FF00_00FF == 0x0000_0000_2E00_003A, isDigits(seconds, 0xFFFF_FFFF_00FF_FF00),
              fraction & 0xFF00_0000_0000_00FF == 0x5A00_0000_0000_002E, isDigits(fraction, 0x00FF_FFFF_FFFF_FF00)
        else { return nil }
        @inline(__always) func digit(_ word: UInt64, _ byte: UInt64) -> Int64 { Int64(truncatingIfNeeded: (word >> (byte &* 8)) & 0x0F) }
        @inline(__always) func pair(_ word: UInt64, _ byte: UInt64) -> Int64 { digit(word, byte) &* 10 &+ digit(word, byte &+ 1) }
        let month = pair(date, 5), day = pair(clock, 0)
        let hour = pair(clock, 3), minute = pair(clock, 6), second = pair(seconds, 1)
        guard month >= 1, month <= 12, day >= 1, day <= 31, hour < 24, minute < 60, second < 61 else { return nil }
        let year = pair(date, 0) &* 100 &+ pair(date, 2)
        // The six fraction digits as one number: `00` and the digits, eight digits combined pairwise.
        var micros = ((fraction >> 8) << 16 | 0x3030) & 0x0F0F_0F0F_0F0F_0F0F
        micros = (micros &* 2561) >> 8 & 0x00FF_00FF_00FF_00FF
        micros = (micros &* 6_553_601) >> 16 & 0x0000_FFFF_0000_FFFF
        micros = (micros &* 42_949_672_960_001) >> 32
        return days(year, month, day) &* 86_400_000_000 &+ ((hour &* 60 &+ minute) &* 60 &+ second) &* 1_000_000
            &+ Int64(truncatingIfNeeded: micros)
    }

    /// Whether every byte of `word` under `mask` (0xFF bytes) is an ASCII digit: its high half is 3,
    /// and adding 6 to it does not carry into the high half.
    @inline(__always)
    private static func isDigits(_ word: UInt64, _ mask: UInt64) -> Bool {
        let highs = mask & 0xF0F0_F0F0_F0F0_F0F0
        return word & highs == 0x3030_3030_3030_3030 & highs
            && (word & mask &+ 0x0606_0606_0606_0606 & mask) & highs == 0x3030_3030_3030_3030 & highs
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
