@testable import BigQuery
import DocumentMapping
import Foundation
import ProcessEngine
import Testing

/// The text-to-proto path must write exactly what the general path (prepare, then encode) writes,
/// and decline every row it cannot encode that way.
@Suite struct StorageFastRowEncoderTests {
    static let schema: StorageSchema = {
        let json = """
        {"schema": {"fields": [
          {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
          {"name": "score", "type": "FLOAT"},
          {"name": "active", "type": "BOOLEAN"},
          {"name": "name", "type": "STRING"},
          {"name": "amount", "type": "NUMERIC"},
          {"name": "ts", "type": "TIMESTAMP"},
          {"name": "day", "type": "DATE"},
          {"name": "at", "type": "DATETIME"},
          {"name": "clock", "type": "TIME"}
        ]}}
        """
        return (try? StorageSchema.parse(table: JSONParser.parse(json), name: "p.d.t")) ?? StorageSchema(fields: [])
    }()

    /// The general path's bytes, or nil when it fails the row.
    static func general(_ text: String, sink: StorageSinkSettings = StorageSinkSettings()) -> [UInt8]? {
        guard let row = try? JSONParser.parse(text),
              let prepared = try? StorageRowPreparer(schema: schema, table: "p.d.t", sink: sink).prepare(row) else { return nil }
        return try? ProtoRowEncoder(schema: schema).encode(prepared)
    }

    /// The fast path's bytes, or nil when it declines.
    static func fast(_ text: String, sink: StorageSinkSettings = StorageSinkSettings()) -> [UInt8]? {
        guard let encoder = StorageFastRowEncoder(schema: schema, sink: sink) else { return nil }
        var writer = ProtoWriter()
        var scratch = encoder.makeScratch()
        return encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch) ? writer.bytes : nil
    }

    static let plainRows = [
        #"{"id": 1, "name": "a", "amount": "12.50", "ts": "2026-11-21T10:11:12.123456Z"}"#,
        #"{"id":-42,"score":1.5e3,"active":true,"day":"2026-02-28","at":"2026-02-28T01:02:03","clock":"23:59:59"}"#,
        #"{"ts": "2026-11-21 10:11:12+02:00", "id": 0, "active": false, "score": -0.25}"#,
        #"{"id": 7, "extra": "dropped", "other": 12, "flag": true, "nothing": null}"#,
        #"  {"id": 8, "name": null, "ts": "1969-12-31T23:59:59.5Z"}  "#,
        #"{"id": 9, "ts": "2026-11-21T10:11:12z", "name": ""}"#,
        #"{"id": 123456789012345678}"#,
    ]

    @Test("plain rows: the same bytes as prepare + encode")
    func plainRowsMatchTheGeneralPath() throws {
        for text in Self.plainRows {
            let fast = try #require(Self.fast(text), "declined: \(text)")
            #expect(fast == Self.general(text), "\(text)")
        }
    }

    static let declined = [
        #"{"name": "no id"}"#,                          // REQUIRED missing: the general path names it
        #"{"id": null}"#,                               // REQUIRED null
        #"{"id": "12"}"#,                               // a cast
        #"{"id": 1.0}"#,                                // a cast
        #"{"id": 1, "ID": 2}"#,                         // names differing by case
        #"{"Id": 1}"#,                                  // a case-insensitive match
        #"{"id": 1, "id": 2}"#,                         // a repeated member
        #"{"id": 1, "name": "caf\u00e9"}"#,             // an escape
        #"{"id": 1, "name": "café"}"#,                  // non-ASCII text
        #"{"id": 1, "extra": {"nested": true}}"#,      // a nested unknown member
        #"{"id": 1, "ts": 1700000000}"#,                // an epoch number
        #"{"id": 1, "score": 1e400}"#,                  // not finite
        #"{"id": 1, "active": "true"}"#,                // a cast
        #"{"id": 1, "name": 5}"#,                       // a number in a STRING column
        #"{"id": 1,}"#, #"{"id": 01}"#, #"{"id": 1} x"#, #"{"id": tru}"#, #"[1]"#, #""#, #"<a/>"#,
        #"{"id": 1234567890123456789}"#,                // more digits than the fast integer reads
        #"{"id": 1, "day": "2026-13-01"}"#,             // not a date
    ]

    @Test("rows that need the general path are declined, and the writer is left as it was")
    func otherRowsAreDeclined() throws {
        let encoder = try #require(StorageFastRowEncoder(schema: Self.schema, sink: StorageSinkSettings()))
        for text in Self.declined {
            var writer = ProtoWriter()
            writer.bool(1, true)
            let before = writer.bytes
            var scratch = encoder.makeScratch()
            #expect(!encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch), "accepted: \(text)")
            #expect(writer.bytes == before, "\(text)")
        }
    }

    @Test("unknownColumns error, overwriteTypes and CDC always take the general path")
    func settingsThatNeedTheGeneralPath() {
        var sink = StorageSinkSettings()
        sink.unknownColumns = .error
        #expect(Self.fast(#"{"id": 1, "extra": 2}"#, sink: sink) == nil)
        #expect(Self.fast(#"{"id": 1}"#, sink: sink) == Self.general(#"{"id": 1}"#, sink: sink))
        sink = StorageSinkSettings()
        sink.overwriteTypes = ["name": .string]
        #expect(StorageFastRowEncoder(schema: Self.schema, sink: sink) == nil)
        sink = StorageSinkSettings()
        sink.cdc = true
        #expect(StorageFastRowEncoder(schema: Self.schema, sink: sink) == nil)
    }

    @Test("random flat rows: whenever the fast path accepts, its bytes are the general path's")
    func randomRowsAgree() {
        var generator = SystemRandomNumberGenerator()
        // Values that fit each column, then values that do not (or need the general path).
        let fitting: [String: [String]] = [
            "id": ["1", "-3", "0", "9007199254740993"], "score": ["2.5", "1e2", "-0.0", "3"],
            "active": ["true", "false"], "name": [#""x""#, #""""#, #""a b""#],
            "amount": [#""12.25""#, #""-1""#], "ts": [#""2026-11-21T01:02:03.5Z""#, #""2026-11-21 01:02:03+05:30""#],
            "day": [#""2026-11-21""#], "at": [#""2026-11-21T01:02:03""#], "clock": [#""01:02:03.5""#],
        ]
        let other = ["null", #""a\"b""#, "[1]", "{}", "1.5", #""12""#, "99999999999999999999", "\"é\""]
        let names = Array(fitting.keys).sorted() + ["extra", "Name"]
        var accepted = 0
        for _ in 0..<2000 {
            var members = ["\"id\": \(Int.random(in: -1000...1000, using: &generator))"]
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let name = names.randomElement(using: &generator) ?? "id"
                let value = Int.random(in: 0..<5, using: &generator) == 0 || fitting[name] == nil
                    ? other.randomElement(using: &generator) ?? "null"
                    : fitting[name]?.randomElement(using: &generator) ?? "null"
                members.append("\"\(name)\": \(value)")
            }
            members.shuffle(using: &generator)
            let text = "{" + members.joined(separator: ", ") + "}"
            if let fast = Self.fast(text) {
                accepted += 1
                #expect(fast == Self.general(text), "\(text)")
            }
        }
        #expect(accepted > 200)
    }

    @Test("one writer for many rows: it grows, drops declined rows and hands over exactly the rows it kept")
    func oneWriterForManyRows() throws {
        let encoder = try #require(StorageFastRowEncoder(schema: Self.schema, sink: StorageSinkSettings()))
        var generator = SystemRandomNumberGenerator()
        // From no capacity and from a tiny one, so that rows land across every growth of the buffer.
        for capacity in [0, 1, 7] {
            var writer = ProtoWriter(capacity: capacity)
            var scratch = encoder.makeScratch()
            var expected: [UInt8] = []
            var kept = 0
            for round in 0..<3000 {
                let long = String(repeating: "x", count: Int.random(in: 0...300, using: &generator))
                let text = round % 5 == 4
                    ? #"{"id": \#(round), "name": "a\"b"}"#   // an escape: declined
                    : #"{"name": "\#(long)", "id": \#(round), "ts": "2026-11-21T10:11:12.5Z"}"#
                let before = writer.count
                if encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch) {
                    expected += try #require(Self.general(text))
                    kept += 1
                } else {
                    #expect(writer.count == before)
                }
            }
            #expect(kept == 2400)
            #expect(writer.bytes == expected)
            #expect(writer.withBytes { Array($0) } == expected)
        }
    }

    @Test("protobuf values: varints at every length, fixed64, nested messages and empty fields")
    func protoWriterValues() {
        func reference(_ value: UInt64) -> [UInt8] {
            var value = value, out: [UInt8] = []
            repeat {
                out.append(UInt8(value & 0x7F) | (value >= 0x80 ? 0x80 : 0))
                value >>= 7
            } while value > 0
            return out
        }
        var writer = ProtoWriter()
        var expected: [UInt8] = []
        for shift in 0..<64 {
            for value in [UInt64(1) << shift, (UInt64(1) << shift) - 1, (UInt64(1) << shift) + 1] {
                writer.varint(value)
                expected += reference(value)
            }
        }
        writer.varint(.max)
        expected += reference(.max)
        writer.int64(1, -1)
        expected += [0x08] + reference(UInt64(bitPattern: -1))
        writer.double(2, 1.5)
        expected += [0x11] + withUnsafeBytes(of: (1.5).bitPattern.littleEndian) { Array($0) }
        writer.bool(3, true)
        expected += [0x18, 1]
        writer.string(4, "")
        expected += [0x22, 0]
        var inner = ProtoWriter()
        inner.string(1, "é")
        writer.lengthDelimited(5, inner)
        expected += [0x2A, 4, 0x0A, 2, 0xC3, 0xA9]
        writer.lengthDelimited(536_870_911, [7])
        expected += [0xFA, 0xFF, 0xFF, 0xFF, 0x0F, 1, 7]
        #expect(writer.bytes == expected)
        let mark = writer.count
        writer.string(6, String(repeating: "y", count: 10_000))
        writer.truncate(to: mark)
        #expect(writer.bytes == expected)
        #expect(writer.withBytes { Array($0) } == expected)
        #expect(ProtoWriter().withBytes { $0.isEmpty })
    }

    @Test("one scratch for many rows: a row declined while it is written leaves nothing to the next")
    func scratchIsEmptyAfterEveryRow() throws {
        let encoder = try #require(StorageFastRowEncoder(schema: Self.schema, sink: StorageSinkSettings()))
        var scratch = encoder.makeScratch()
        let full = #"{"id": 1, "score": 2.5, "active": true, "name": "n", "amount": "1.5", "ts": "2026-11-21T10:11:12Z", "day": "2026-11-21", "at": "2026-11-21T10:11:12", "clock": "10:11:12"}"#
        let rows = [
            full,
            // Declined while written: the cast in `score` comes after `id` was written, with the rest found.
            #"{"id": 2, "score": "2.5", "active": true, "name": "n", "amount": "1.5", "ts": "2026-11-21T10:11:12Z"}"#,
            #"{"id": 4}"#,
            // Declined while scanned, after some columns were found.
            #"{"id": 3, "name": "n", "amount": "1.5", "ts": {"nested": 1}}"#,
            #"{"id": 6}"#,
            full,
            #"{"id": 5, "clock": "01:02:03"}"#,
        ]
        for _ in 0..<3 {
            for text in rows {
                var writer = ProtoWriter()
                let accepted = encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch)
                if accepted { #expect(writer.bytes == Self.general(text), "\(text)") } else { #expect(writer.count == 0) }
                #expect(accepted == !(text.contains(#""2.5""#) || text.contains("nested")), "\(text)")
            }
        }
    }

    @Test("rows read through the layout of the row before: the bytes of a row read on its own, whatever changes between rows")
    func rowsReadByLayoutAgree() throws {
        let encoder = try #require(StorageFastRowEncoder(schema: Self.schema, sink: StorageSinkSettings()))
        var shared = encoder.makeScratch()
        var generator = SystemRandomNumberGenerator()
        let values: [String: [String]] = [
            "id": ["1", "-3", "0", "12345", "1.5", "\"7\"", "null", "1e2", "07"],
            "name": [#""x""#, #""""#, #""a b""#, #""a\"b""#, "null", "5", #""é""#, "[1]"],
            "amount": [#""12.25""#, #""-1""#, "{}", "true"],
            "ts": [#""2026-11-21T01:02:03.123456Z""#, #""2026-11-21 01:02:03+05:30""#, #""x""#],
            "active": ["true", "false", "nul", "tru"], "extra": ["1", #""dropped""#, "{\"a\": 1}"],
        ]
        // A few layouts, each row a variation of one: values changed most of the time, sometimes a
        // space, a key, the order, a member added or left out, trailing bytes.
        let layouts: [[String]] = [["id", "name", "amount", "ts"], ["name", "id", "extra", "active"], ["id"],
                                   ["id", "extra", "ts", "name"]]
        // Rows after a row of the same layout that was declined (a REQUIRED column missing, null,
        // or a value the column does not take) or taken: each decided as on its own.
        let sequences: [[String]] = [
            [#"{"name": "a", "ts": "2026-11-21T01:02:03Z"}"#, #"{"name": "b", "ts": "2026-11-21T01:02:03Z"}"#],
            [#"{"id": 1, "name": "a"}"#, #"{"id": null, "name": "b"}"#, #"{"id": 2, "name": "c"}"#],
            [#"{"id": 1, "ts": "2026-11-21T01:02:03Z"}"#, #"{"id": 2, "ts": "2026-13-21T01:02:03Z"}"#,
             #"{"id": 3, "ts": "2026-11-21T01:02:03Z"}"#],
            [#"{"name": "a", "id": 1}"#, #"{"name": null, "id": 2}"#, #"{"name": 5, "id": 3}"#],
        ]
        for sequence in sequences {
            var scratch = encoder.makeScratch()
            for _ in 0..<2 {
                for text in sequence {
                    var writer = ProtoWriter()
                    let accepted = encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch)
                    #expect(accepted == (Self.fast(text) != nil), "\(text)")
                    if accepted { #expect(writer.bytes == Self.general(text), "\(text)") }
                }
            }
        }
        var readByLayout = 0
        var accepted = 0
        for round in 0..<6_000 {
            var keys = layouts[(round / 50) % layouts.count]
            let change = Int.random(in: 0..<40, using: &generator)
            if change == 0 { keys.shuffle(using: &generator) }
            if change == 1, keys.count > 1 { keys.removeLast() }
            if change == 2 { keys.append(["extra", "active", "id", "Name"].randomElement(using: &generator) ?? "id") }
            var members: [String] = []
            for key in keys {
                let pool = values[key] ?? ["1"]
                // Mostly the first values (taken), sometimes any.
                let value = change == 3 ? pool.randomElement(using: &generator) ?? "1" : pool[round % Swift.min(2, pool.count)]
                members.append("\"\(key)\"" + (change == 4 ? " : " : ": ") + value)
            }
            var text = "{" + members.joined(separator: change == 5 ? "," : ", ") + "}"
            if change == 6 { text += " " }
            if change == 7 { text = " " + text }
            if change == 8 { text += "x" }
            let bytes = Array(text.utf8)
            var writer = ProtoWriter()
            let before = shared.rowsReadByLayout
            let sharedAccepted = encoder.encode(bytes, into: &writer, scratch: &shared)
            if shared.rowsReadByLayout > before { readByLayout += 1 }
            var alone = encoder.makeScratch()
            var reference = ProtoWriter()
            let aloneAccepted = encoder.encode(bytes, into: &reference, scratch: &alone)
            #expect(sharedAccepted == aloneAccepted, "\(text)")
            #expect(writer.bytes == reference.bytes, "\(text)")
            if sharedAccepted {
                accepted += 1
                #expect(writer.bytes == Self.general(text), "\(text)")
            }
        }
        // Rows of the two layouts without `extra` mostly take the layout (those with it, whose dropped
        // value changes from row to row, rarely do); the comparison is not idle either way.
        #expect(readByLayout > 1_200 && accepted > 3_000 && accepted < 6_000, "by layout \(readByLayout), accepted \(accepted)")
    }

    @Test("rows whose layouts keep changing: the layout is tried on few of them, and each row is encoded as on its own")
    func changingLayoutsBackOff() throws {
        var sink = StorageSinkSettings()
        sink.unknownColumns = .drop
        let encoder = try #require(StorageFastRowEncoder(schema: Self.schema, sink: sink))
        var scratch = encoder.makeScratch()
        // A dropped member whose value differs from row to row: no row fits the row before's layout.
        for row in 0..<1_000 {
            let text = #"{"id": \#(row), "note": "\#(String(repeating: "n", count: row % 37))", "name": "x"}"#
            var writer = ProtoWriter()
            #expect(encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch), "\(text)")
            #expect(writer.bytes == Self.general(text, sink: sink), "\(text)")
        }
        #expect(scratch.rowsReadByLayout < 5 && scratch.rowsTriedByLayout < 80,
                "tried \(scratch.rowsTriedByLayout), read \(scratch.rowsReadByLayout)")
        // Then rows of one layout again: read through it once the back-off has run out.
        for row in 0..<200 {
            let text = #"{"id": \#(row), "note": "same", "name": "x"}"#
            var writer = ProtoWriter()
            #expect(encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch))
            #expect(writer.bytes == Self.general(text, sink: sink), "\(text)")
        }
        #expect(scratch.rowsReadByLayout > 100, "read \(scratch.rowsReadByLayout)")
    }

    @Test("integers of every width and strings of every length: the bytes of prepare + encode")
    func everyWidthAndLength() throws {
        var texts: [String] = []
        // (The fast path reads up to 18 digits.)
        for bit in 0..<59 {
            let power = Int64(1) << bit
            for value in [power - 1, power, power + 1, -power, -power - 1] {
                texts.append(#"{"id": \#(value)}"#)
            }
        }
        for length in 0...70 {
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            texts.append(#"{"id": \#(length), "name": "\#(text)", "amount": "\#(text.count).5"}"#)
        }
        // Timestamps near the epoch: microseconds of every width from five bytes up.
        for seconds in [268, 269, 34_359, 34_360, 4_398_046, 4_398_047, 562_949_953, 562_949_954] {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).dateTimeSeparator(.standard))
            texts.append(#"{"id": 1, "ts": "\#(text)"}"#)
        }
        for text in texts {
            let fast = try #require(Self.fast(text), "declined: \(text)")
            #expect(fast == Self.general(text), "\(text)")
        }
    }

    @Test("names of every length, matched in place: keys that are a name's prefix or extension, at the text's end")
    func keysMatchedInPlaceAgreeWithTheGeneralPath() throws {
        let names = (1...20).map { String(repeating: "k", count: $0 / 2) + String("abcdefghijklmnopqrstu".prefix(($0 + 1) / 2)) }
        let fields = names.enumerated().map { #"{"name": "\#($0.element)", "type": "\#($0.offset % 2 == 0 ? "STRING" : "INTEGER")"}"# }
        let schema = try StorageSchema.parse(table: JSONParser.parse(#"{"schema": {"fields": ["# + fields.joined(separator: ",") + "]}}"),
                                             name: "p.d.t")
        let encoder = try #require(StorageFastRowEncoder(schema: schema, sink: StorageSinkSettings()))
        var scratch = encoder.makeScratch()
        var generator = SystemRandomNumberGenerator()
        var accepted = 0
        for _ in 0..<3000 {
            var members: [String] = []
            var used = Set<String>()
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                let position = Int.random(in: 0..<names.count, using: &generator)
                var key = names[position]
                switch Int.random(in: 0..<7, using: &generator) {
                case 0: key = String(key.dropLast())       // a prefix of a name
                case 1: key += "x"                         // a name's extension
                case 2: key = key.uppercased()             // a name up to case
                case 3:                                    // one byte of a name changed
                    var bytes = Array(key.utf8)
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0x61...0x7A, using: &generator)
                    key = String(decoding: bytes, as: UTF8.self)
                default: break
                }
                guard used.insert(key).inserted else { continue }
                let value = (names.firstIndex(of: key) ?? 0) % 2 == 0 ? #""v""# : "\(Int.random(in: -99...99, using: &generator))"
                members.append("\"\(key)\":\(value)")
            }
            if Bool.random(using: &generator) { members.sort() }
            let text = "{" + members.joined(separator: ",") + "}"
            var writer = ProtoWriter()
            guard encoder.encode(Array(text.utf8), into: &writer, scratch: &scratch) else { continue }
            accepted += 1
            let general = try? ProtoRowEncoder(schema: schema).encode(
                StorageRowPreparer(schema: schema, table: "p.d.t").prepare(JSONParser.parse(text)))
            #expect(writer.bytes == general, "\(text)")
        }
        #expect(accepted > 300)
    }

    @Test("a column name outside ASCII: an unknown key that the general path matches up to case is declined")
    func nonASCIINamesLeaveCaseMatchingToTheGeneralPath() throws {
        // KELVIN SIGN lowercases to an ASCII k.
        let schema = try StorageSchema.parse(table: JSONParser.parse(
            #"{"schema": {"fields": [{"name": "\u212A", "type": "INTEGER"}, {"name": "id", "type": "INTEGER"}]}}"#), name: "p.d.t")
        let encoder = try #require(StorageFastRowEncoder(schema: schema, sink: StorageSinkSettings()))
        var scratch = encoder.makeScratch()
        var writer = ProtoWriter()
        #expect(!encoder.encode(Array(#"{"id": 1, "k": 2}"#.utf8), into: &writer, scratch: &scratch))
        #expect(encoder.encode(Array(#"{"id": 1}"#.utf8), into: &writer, scratch: &scratch))
    }

    @Test("plain timestamps and dates read in place give what the general reading gives")
    func plainTimestampsAgree() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-:.TtZz +".utf8)
        var plain = 0
        for round in 0..<20000 {
            var text = Array(String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int.random(in: 0...9999, using: &generator),
                                    Int.random(in: 0...13, using: &generator), Int.random(in: 0...32, using: &generator),
                                    Int.random(in: 0...25, using: &generator), Int.random(in: 0...61, using: &generator),
                                    Int.random(in: 0...62, using: &generator), Int.random(in: 0...999_999, using: &generator)).utf8)
            // Cut the fraction or the zone, change a byte or two, or add some.
            switch round % 5 {
            case 0: text.removeLast(Int.random(in: 0...9, using: &generator))
            case 1: text[Int.random(in: 0..<text.count, using: &generator)] = alphabet.randomElement(using: &generator) ?? 0
            case 2: text.insert(alphabet.randomElement(using: &generator) ?? 0, at: Int.random(in: 0...text.count, using: &generator))
            case 3: text = Array(text.prefix(10))
            default: break
            }
            let general = CivilTime.timestampMicros(utf8: text[...])
            let fast = text.withUnsafeBufferPointer { CivilTime.plainTimestampMicros($0) }
            if let fast {
                plain += 1
                #expect(fast == general, "\(String(decoding: text, as: UTF8.self))")
            }
            let day = text.withUnsafeBufferPointer { CivilTime.plainDateDays($0) }
            let generalDay = CivilTime.date(text[...]).flatMap { $0.rest.isEmpty ? $0.days : nil }
            #expect(day == generalDay, "\(String(decoding: text, as: UTF8.self))")
        }
        #expect(plain > 4000)
    }

    @Test("the canonical timestamp read word by word gives what the general reading gives, whatever byte is changed")
    func canonicalTimestampsAgree() {
        var generator = SystemRandomNumberGenerator()
        var canonical = 0
        // Each field at its bounds, so that changing one digit crosses them (month 13, day 32, hour 24, second 61).
        let bounds = ["2026-12-31T23:59:60.999999Z", "0000-10-01T00:00:00.000000Z", "9999-01-10T19:50:59.000001Z"]
        for round in 0..<40 {
            let valid = round < bounds.count ? Array(bounds[round].utf8) : Array(String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int.random(in: 0...9999, using: &generator),
                                     Int.random(in: 1...12, using: &generator), Int.random(in: 1...31, using: &generator),
                                     Int.random(in: 0...23, using: &generator), Int.random(in: 0...59, using: &generator),
                                     Int.random(in: 0...60, using: &generator), Int.random(in: 0...999_999, using: &generator)).utf8)
            #expect(valid.withUnsafeBufferPointer { CivilTime.canonicalTimestampMicros($0) } == CivilTime.timestampMicros(utf8: valid[...]))
            // Every byte replaced by every value: separators, digits, ranges (month 13, hour 24, …).
            for position in valid.indices {
                for byte in UInt8.min...UInt8.max {
                    var text = valid
                    text[position] = byte
                    let general = CivilTime.timestampMicros(utf8: text[...])
                    if let fast = text.withUnsafeBufferPointer({ CivilTime.canonicalTimestampMicros($0) }) {
                        canonical += 1
                        #expect(fast == general, "\(String(decoding: text, as: UTF8.self))")
                    }
                    // Declined texts go on to the plain reading, then to the general one (`.12345 Z` is read there).
                    let plain = text.withUnsafeBufferPointer { CivilTime.plainTimestampMicros($0) }
                    #expect(plain == nil || plain == general, "\(String(decoding: text, as: UTF8.self))")
                }
            }
        }
        #expect(canonical > 40 * 27 * 4)
    }
}
