import ConveyorBase
import Testing

@Suite struct JSONBytesTests {
    private func with<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        Array(text.utf8).withUnsafeBufferPointer(body)
    }

    @Test func whitespaceIsSpaceTabAndLineBreaksOnly() {
        #expect(with(" \t\r\n x") { JSONBytes.skipWhitespace($0, from: 0) } == 5)
        #expect(with("  ") { JSONBytes.skipWhitespace($0, from: 0) } == 2)
        #expect(!JSONBytes.isWhitespace(0x0C))
        #expect(!JSONBytes.isWhitespace(0xA0))
        #expect(with("\u{FEFF}{}") { JSONBytes.byteOrderMarkLength($0) } == 3)
        #expect(with("{}") { JSONBytes.byteOrderMarkLength($0) } == 0)
    }

    @Test(arguments: [("0", 1), ("-0", 2), ("12.50,", 5), ("1e9]", 3), ("-1.5E+10 ", 8), ("3.0e-2}", 6)])
    func numbersEndWhereTheGrammarEnds(_ text: String, _ end: Int) {
        #expect(with(text) { JSONBytes.numberEnd($0, from: 0) } == end)
    }

    @Test(arguments: ["01", "-", "1.", ".5", "1e", "1e+", "+1", "-a", ""])
    func malformedNumbersAreRefused(_ text: String) {
        #expect(with(text) { JSONBytes.numberEnd($0, from: 0) } == nil)
    }

    @Test func literalsMatchWholeWordsOnly() {
        #expect(with("[true]") { JSONBytes.hasLiteral("true", in: $0, at: 1) })
        #expect(!with("tru") { JSONBytes.hasLiteral("true", in: $0, at: 0) })
        #expect(!with("nul1") { JSONBytes.hasLiteral("null", in: $0, at: 0) })
        #expect(JSONBytes.hexValue(UInt8(ascii: "f")) == 15)
        #expect(JSONBytes.hexValue(UInt8(ascii: "F")) == 15)
        #expect(JSONBytes.hexValue(UInt8(ascii: "g")) == nil)
    }

    @Test func stringsWithEscapesAndUnicodeAreChecked() throws {
        let plain = try #require(with(#""abcdefghijklmnop" x"#) { JSONBytes.stringEnd($0, from: 1) })
        #expect(plain.end == 18)
        #expect(!plain.escaped && !plain.nonASCII)
        let escaped = try #require(with(#""a\"b\\c\u00e9\n""#) { JSONBytes.stringEnd($0, from: 1) })
        #expect(escaped.end == 17)
        #expect(escaped.escaped && !escaped.nonASCII)
        let unicode = try #require(with("\"Zoë 日本 😀\"") { JSONBytes.stringEnd($0, from: 1) })
        #expect(unicode.nonASCII && !unicode.escaped)
        #expect(with(#""bad \x escape""#) { JSONBytes.stringEnd($0, from: 1) } == nil)
        #expect(with(#""short \u12""#) { JSONBytes.stringEnd($0, from: 1) } == nil)
        #expect(with("\"tab\there\"") { JSONBytes.stringEnd($0, from: 1) } == nil)
        #expect(with("\"unterminated") { JSONBytes.stringEnd($0, from: 1) } == nil)
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(overlong.withUnsafeBufferPointer { JSONBytes.stringEnd($0, from: 1) } == nil)
        let surrogate: [UInt8] = [0x22, 0xED, 0xA0, 0x80, 0x22]
        #expect(surrogate.withUnsafeBufferPointer { JSONBytes.stringEnd($0, from: 1) } == nil)
    }

    /// The eight-byte skip stops exactly on the first byte that needs a look, wherever it lies.
    @Test func plainASCIISkipStopsOnTheFirstSpecialByte() {
        for position in 0..<20 {
            for special in ["\"", "\\", "\n", "é"] {
                let text = String(repeating: "a", count: position) + special + String(repeating: "b", count: 12)
                let stop = with(text) { JSONBytes.skipPlainASCII($0, from: 0) }
                #expect(stop == position)
            }
        }
        #expect(with(String(repeating: "a", count: 30) + "\"") { JSONBytes.plainASCIIStringEnd($0, from: 0) } == 30)
        #expect(with("abc\\\"\"") { JSONBytes.plainASCIIStringEnd($0, from: 0) } == nil)
        #expect(with("abcé\"") { JSONBytes.plainASCIIStringEnd($0, from: 0) } == nil)
        #expect(with("abc") { JSONBytes.plainASCIIStringEnd($0, from: 0) } == nil)
    }

    /// The skip (sixteen bytes a step, by vector compares on x86-64) agrees with a byte-by-byte
    /// reading: each special byte, and each byte value, at every position of buffers of every
    /// length up to 70 and from every start, stops it exactly there, or within the last eight
    /// bytes before it (where the callers go on byte by byte).
    @Test func plainASCIISkipAgreesWithAByteByByteReading() {
        func reference(_ bytes: [UInt8], from start: Int) -> Int {
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { return index }
                index += 1
            }
            return index
        }
        func check(_ bytes: [UInt8], from start: Int) -> Bool {
            let expected = reference(bytes, from: start)
            let stop = bytes.withUnsafeBufferPointer { JSONBytes.skipPlainASCII($0, from: start) }
            // Exact when it stops on a byte; before the end it may stop early, but only within the last eight bytes.
            if stop == expected { return true }
            return stop < expected && stop >= start && bytes.count - stop < 8
                && reference(bytes, from: stop) == expected
        }
        var mismatches = 0
        for length in 0...70 {
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            for start in 0...min(length, 17) where !check(plain, from: start) { mismatches += 1 }
            for position in 0..<length {
                for value: UInt8 in [0x00, 0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xFF] {
                    var bytes = plain
                    bytes[position] = value
                    for start in [0, 1, max(0, position - 16), position] where start <= length && !check(bytes, from: start) {
                        mismatches += 1
                    }
                }
            }
        }
        // Every byte value in every lane of a sixteen-byte block, then a second special later on.
        for value in 0...255 {
            for lane in 0..<16 {
                var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 40)
                bytes[3 + lane] = UInt8(value)
                bytes[35] = 0x22
                if !check(bytes, from: 3) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func decimalsAreWrittenAsStringDescribingWritesThem() {
        let numbers = [0, 1, -1, 9, 10, 99, 100, -10, 123_456_789, Int.max, Int.min, Int.max - 1, Int.min + 1]
            + (0..<200).map { _ in Int.random(in: Int.min...Int.max) }
        for number in numbers {
            var written = [UInt8](repeating: 0, count: 24)
            let count = written.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress.map { JSONBytes.writeDecimal(number, to: $0) } ?? 0
            }
            let bytes = Array("x".utf8) + written[..<count]
            #expect(bytes == Array("x\(number)".utf8))
            #expect(JSONBytes.decimalLength(number) == String(number).utf8.count)
        }
    }
}
