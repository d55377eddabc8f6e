import ConveyorBase
import DocumentMapping
import Foundation

/// Encodes the common storage-write row straight from a document's JSON text: a flat object
/// whose members are scalars of the table's flat columns.
///
/// It produces exactly the bytes ``ProtoRowEncoder`` writes for the row ``StorageRowPreparer``
/// prepares, without building either tree. Anything outside the plain case — escapes, non-ASCII
/// text, values that need a cast, nested values, missing REQUIRED columns, member names that
/// differ only by case, invalid JSON — makes it decline (`false`), and the caller takes the
/// general path, which also produces the error message when there is one.
///
/// A row is read once, member by member: the member after the last one matched is expected
/// first, and its key is compared in place with the column's name (rows usually carry the
/// columns in the table's order). What each column's value is, and where, goes into a
/// ``Scratch`` of the caller's; the row's message is then written in column order, into room
/// reserved once for the whole row. A row whose bytes around its values are those of the row read
/// member by member before it is read through that row's ``Layout``: only its values are read.
struct StorageFastRowEncoder: Sendable {
    struct Column: Sendable {
        /// The key the column's value has in a row; nil: no key (a map's source the column has no
        /// member of, see ``reading(_:)``).
        var name: [UInt8]?
        var kind: StorageSchema.Field.Kind
        var number: Int32
        var required: Bool
        /// The values the column takes from a row; a row with any other (or `null` when not in the
        /// set) is declined.
        var tokens: Tokens = .any
    }

    /// A set of the JSON value kinds a column takes.
    struct Tokens: OptionSet, Sendable {
        let rawValue: UInt8
        static let string = Tokens(rawValue: 1 << Token.string.rawValue)
        static let number = Tokens(rawValue: 1 << Token.number.rawValue)
        static let boolean = Tokens(rawValue: 1 << Token.boolTrue.rawValue | 1 << Token.boolFalse.rawValue)
        static let null = Tokens(rawValue: 1 << Token.null.rawValue)
        static let any: Tokens = [.string, .number, .boolean, .null]
    }

    let columns: [Column]
    let dropUnknown: Bool
    private let table: ColumnTable

    /// Nil when the schema or the sink settings need the general path for every row: RECORD or
    /// REPEATED columns, BYTES or JSON columns, `overwriteTypes`, CDC.
    init?(schema: StorageSchema, sink: StorageSinkSettings) {
        guard !sink.cdc, sink.overwriteTypes.isEmpty else { return nil }
        var columns: [Column] = []
        for field in schema.fields {
            guard field.mode != .repeated, field.kind != .record, field.kind != .bytes, field.kind != .json else { return nil }
            columns.append(Column(name: Array(field.name.utf8), kind: field.kind, number: field.number,
                                  required: field.mode == .required))
        }
        self.columns = columns
        dropUnknown = sink.unknownColumns == .drop
        table = ColumnTable(columns)
    }

    private init(columns: [Column], dropUnknown: Bool) {
        self.columns = columns
        self.dropUnknown = dropUnknown
        table = ColumnTable(columns)
    }

    /// This encoder reading a map's source document in place of the map's output, for a map that
    /// only renames members (``FlatRenames``): each column takes the value of the source member
    /// the map renames to it. A row it accepts comes out as this encoder would encode the map's
    /// output, byte for byte; it declines every row the renaming does not certainly cover (any
    /// other member, a value the map would not copy as it is, `null`, a required member missing),
    /// which then takes the map and this encoder. Nil when the map's output can hold a member
    /// that is not exactly a column's name.
    func reading(_ renames: FlatRenames) -> StorageFastRowEncoder? {
        var renamed = columns.map { column in
            var column = column
            column.name = nil
            return column
        }
        for member in renames.members {
            guard let position = columns.firstIndex(where: { $0.name == member.target }) else { return nil }
            var tokens: Tokens = []
            if member.values.contains(.string) { tokens.insert(.string) }
            if member.values.contains(.number) { tokens.insert(.number) }
            if member.values.contains(.boolean) { tokens.insert(.boolean) }
            renamed[position].name = member.source
            renamed[position].required = renamed[position].required || member.required
            renamed[position].tokens = tokens
        }
        return StorageFastRowEncoder(columns: renamed, dropUnknown: false)
    }

    /// Where each column's value lies in the row being encoded: scratch space for one row at a
    /// time, reused from row to row (``encode(_:into:scratch:)`` leaves the spans empty), and the
    /// layout of the last row read member by member (``Layout``).
    struct Scratch: ~Copyable {
        fileprivate let spans: UnsafeMutablePointer<Span>
        fileprivate let count: Int
        /// The columns in the order the row being scanned has them (``scan(_:spans:order:found:)``).
        fileprivate let order: UnsafeMutablePointer<Int32>
        fileprivate var layout: Layout
        /// Rows still to read member by member before the layout is tried again, after it did not
        /// fit; and how many the next miss sets (doubling from 1 to 16, back to 0 when one fits).
        /// Rows whose layouts keep changing cost one comparison that fails and one layout kept in
        /// 16 rows, not one of each a row.
        fileprivate var skip = 0
        fileprivate var backoff = 0
        /// Rows read through the layout of an earlier row, and rows the layout was tried on (for tests).
        private(set) var rowsReadByLayout = 0
        private(set) var rowsTriedByLayout = 0

        init(columns: Int) {
            count = columns
            spans = .allocate(capacity: Swift.max(columns, 1))
            spans.initialize(repeating: Span(), count: Swift.max(columns, 1))
            order = .allocate(capacity: Swift.max(columns, 1))
            order.initialize(repeating: 0, count: Swift.max(columns, 1))
            layout = Layout(columns: columns)
        }

        deinit {
            spans.deallocate()
            order.deallocate()
        }

        fileprivate mutating func countRowTriedByLayout(read: Bool) {
            rowsTriedByLayout &+= 1
            if read { rowsReadByLayout &+= 1 }
        }
    }

    /// A row's bytes around its column values, learned from a row read member by member: the next
    /// row is compared with them, and only its values are read.
    ///
    /// Rows of one source usually differ only in their values. Where a row's bytes before each
    /// value (the opening brace or comma, whitespace, the key, the colon, any member dropped as
    /// unknown) and after the last one are exactly the learned row's, reading it member by member
    /// would find the same members in the same places: the values are read and checked as there,
    /// the rest is one comparison. A row that differs anywhere is read member by member, and its
    /// layout learned in turn.
    fileprivate struct Layout: ~Copyable {
        struct Entry {
            /// The bytes before the value, in ``bytes``.
            var start: Int32
            var count: Int32
            var column: Int32
        }

        /// Room for the bytes of rows of ordinary width; a row with more is not learned.
        static let capacity = 4_096

        let entries: UnsafeMutablePointer<Entry>
        /// Each entry's bytes, then the row's bytes after its last value; padded so a word can be
        /// read past any of them.
        let bytes: UnsafeMutablePointer<UInt8>
        /// Entries in use; 0: nothing learned.
        var count = 0
        var trailingStart = 0
        var trailingCount = 0

        init(columns: Int) {
            entries = .allocate(capacity: Swift.max(columns, 1))
            bytes = .allocate(capacity: Self.capacity + 8)
            bytes.initialize(repeating: 0, count: Self.capacity + 8)
        }

        deinit {
            entries.deallocate()
            bytes.deallocate()
        }
    }

    /// Scratch space for this encoder's rows.
    func makeScratch() -> Scratch { Scratch(columns: columns.count) }

    /// One member value's place in the text (positions fit in 32 bits: longer rows are declined).
    fileprivate struct Span {
        var start: Int32 = 0
        var end: Int32 = 0
        var token = Token.absent
    }

    fileprivate enum Token: UInt8 { case absent, string, number, boolTrue, boolFalse, null }

    /// Appends the row message of `bytes` to `writer`; false (and `writer` unchanged) when the
    /// row needs the general path.
    func encode(_ bytes: [UInt8], into writer: inout ProtoWriter, scratch: inout Scratch) -> Bool {
        bytes.withUnsafeBufferPointer { encode($0, into: &writer, scratch: &scratch) }
    }

    /// ``encode(_:into:scratch:)`` on bytes in place.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into writer: inout ProtoWriter, scratch: inout Scratch) -> Bool {
        if scratch.count != columns.count { scratch = makeScratch() }
        let spans = scratch.spans
        guard text.count < Int(Int32.max) else { return false }
        if scratch.layout.count > 0 {
            if scratch.skip > 0 {
                scratch.skip &-= 1
            } else if readByLayout(text, spans: spans, layout: scratch.layout) {
                scratch.backoff = 0
                scratch.countRowTriedByLayout(read: true)
                return write(text, spans: spans, into: &writer)
            } else {
                scratch.countRowTriedByLayout(read: false)
                for position in 0..<columns.count { spans[position].token = .absent }
                scratch.backoff = Swift.min(Swift.max(scratch.backoff &* 2, 1), 16)
                scratch.skip = scratch.backoff
            }
        }
        var found = 0
        guard scan(text, spans: spans, order: scratch.order, found: &found) else {
            for position in 0..<columns.count { spans[position].token = .absent }
            return false
        }
        // Kept when the next row will try it.
        if scratch.skip == 0 { learn(text, spans: spans, order: scratch.order, found: found, into: &scratch.layout) }
        return write(text, spans: spans, into: &writer)
    }

    // MARK: Reading by layout

    /// Reads the row through `layout`: true with every value's span set when its bytes around the
    /// values are the layout's and each value is one its column takes; false (spans possibly set,
    /// for the caller to clear) otherwise, and the row is then read member by member.
    private func readByLayout(_ text: UnsafeBufferPointer<UInt8>, spans: UnsafeMutablePointer<Span>,
                              layout: borrowing Layout) -> Bool {
        guard let base = text.baseAddress else { return false }
        let count = text.count
        var index = 0
        for entry in 0..<layout.count {
            let known = layout.entries[entry]
            let length = Int(known.count)
            guard length <= count &- index,
                  JSONBytes.matches(base + index, readable: count &- index, padded: layout.bytes + Int(known.start),
                                    count: length) else { return false }
            index &+= length
            var span = Span()
            let next = Self.value(text, at: index, span: &span)
            guard next >= 0 else { return false }
            let column = Int(known.column)
            guard table.entries[column].tokens & (1 << span.token.rawValue) != 0 else { return false }
            spans[column] = span
            index = next
        }
        return layout.trailingCount == count &- index
            && JSONBytes.matches(base + index, readable: count &- index, padded: layout.bytes + layout.trailingStart,
                                 count: layout.trailingCount)
    }

    /// Keeps the layout of a row `scan` read, its `found` columns in `order`: the bytes before
    /// each value and after the last. Nothing is kept for a row without columns or with more
    /// bytes around its values than the layout holds.
    private func learn(_ text: UnsafeBufferPointer<UInt8>, spans: UnsafeMutablePointer<Span>,
                       order: UnsafeMutablePointer<Int32>, found: Int, into layout: inout Layout) {
        layout.count = 0
        guard found > 0, let base = text.baseAddress else { return }
        // The bytes around the values, counted first: a row with more than the layout holds is
        // not copied at all.
        var valueBytes = 0
        for entry in 0..<found {
            let span = spans[Int(order[entry])]
            valueBytes &+= Int(span.end) &- Int(span.start) &+ (span.token == .string ? 2 : 0)
        }
        guard text.count &- valueBytes <= Layout.capacity else { return }
        var used = 0
        var previousEnd = 0
        for entry in 0..<found {
            let column = Int(order[entry])
            let span = spans[column]
            // A string's span is its content: the value starts at its opening quote and ends after the closing one.
            let start = span.token == .string ? Int(span.start) &- 1 : Int(span.start)
            let length = start &- previousEnd
            guard length >= 0, used &+ length <= Layout.capacity else { return }
            (layout.bytes + used).update(from: base + previousEnd, count: length)
            layout.entries[entry] = Layout.Entry(start: Int32(truncatingIfNeeded: used), count: Int32(truncatingIfNeeded: length),
                                                 column: Int32(truncatingIfNeeded: column))
            used &+= length
            previousEnd = span.token == .string ? Int(span.end) &+ 1 : Int(span.end)
        }
        let trailing = text.count &- previousEnd
        guard trailing >= 0, used &+ trailing <= Layout.capacity else { return }
        (layout.bytes + used).update(from: base + previousEnd, count: trailing)
        // The padding after the last bytes stays readable.
        (layout.bytes + (used &+ trailing)).update(repeating: 0, count: 8)
        layout.trailingStart = used
        layout.trailingCount = trailing
        layout.count = found
    }

    /// Sets `span` to the value at `index` and returns the index after it; -1 for anything but a
    /// plain string, a number, `true`, `false` or `null` (as ``scan(_:spans:order:found:)`` reads
    /// them).
    @inline(__always)
    private static func value(_ text: UnsafeBufferPointer<UInt8>, at index: Int, span: inout Span) -> Int {
        guard index < text.count else { return -1 }
        let start = Int32(truncatingIfNeeded: index)
        switch text[index] {
        case JSONBytes.quote:
            guard let end = JSONBytes.plainASCIIStringEnd(text, from: index &+ 1) else { return -1 }
            span = Span(start: start &+ 1, end: Int32(truncatingIfNeeded: end), token: .string)
            return end &+ 1
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let end = JSONBytes.numberEnd(text, from: index) else { return -1 }
            span = Span(start: start, end: Int32(truncatingIfNeeded: end), token: .number)
            return end
        case UInt8(ascii: "t"):
            guard JSONBytes.hasLiteral("true", in: text, at: index) else { return -1 }
            span = Span(start: start, end: start &+ 4, token: .boolTrue)
            return index &+ 4
        case UInt8(ascii: "f"):
            guard JSONBytes.hasLiteral("false", in: text, at: index) else { return -1 }
            span = Span(start: start, end: start &+ 5, token: .boolFalse)
            return index &+ 5
        case UInt8(ascii: "n"):
            guard JSONBytes.hasLiteral("null", in: text, at: index) else { return -1 }
            span = Span(start: start, end: start &+ 4, token: .null)
            return index &+ 4
        default:
            // Nested values, and anything else the general path should see.
            return -1
        }
    }

    // MARK: Scanning

    /// Reads the row member by member, setting each column's span; `order` gets the `found`
    /// columns in the order the row has them.
    private func scan(_ text: UnsafeBufferPointer<UInt8>, spans: UnsafeMutablePointer<Span>,
                      order: UnsafeMutablePointer<Int32>, found: inout Int) -> Bool {
        let count = text.count
        let columnCount = table.count
        var index = JSONBytes.skipWhitespace(text, from: 0)
        guard index < count, text[index] == UInt8(ascii: "{") else { return false }
        index = JSONBytes.skipWhitespace(text, from: index &+ 1)
        guard index < count else { return false }
        if text[index] == UInt8(ascii: "}") { return JSONBytes.skipWhitespace(text, from: index &+ 1) == count }
        // Members usually come in the columns' order: the column after the last one matched is tried first.
        var next = 0
        while true {
            guard index < count, text[index] == JSONBytes.quote else { return false }
            var position = -1
            if next < columnCount, let after = table.keyEnd(of: next, in: text, at: index &+ 1) {
                position = next
                index = after
            } else {
                guard let keyEnd = JSONBytes.plainASCIIStringEnd(text, from: index &+ 1) else { return false }
                let key = UnsafeBufferPointer(rebasing: text[(index &+ 1)..<keyEnd])
                index = keyEnd &+ 1
                if let column = table.column(named: key) {
                    position = column
                } else {
                    guard dropUnknown, !table.matchesIgnoringCase(key) else { return false }
                }
            }
            index = Self.skipSpaces(text, index)
            guard index < count, text[index] == UInt8(ascii: ":") else { return false }
            index = Self.skipSpaces(text, index &+ 1)
            guard index < count else { return false }
            // The value, read as ``value(_:at:span:)`` reads it, written out here: the optimizer
            // does not inline that function into this loop (the call cost about 80 instructions a
            // member on rows read member by member).
            var span = Span(start: Int32(truncatingIfNeeded: index), end: 0, token: .absent)
            switch text[index] {
            case JSONBytes.quote:
                guard let end = JSONBytes.plainASCIIStringEnd(text, from: index &+ 1) else { return false }
                span = Span(start: Int32(truncatingIfNeeded: index &+ 1), end: Int32(truncatingIfNeeded: end), token: .string)
                index = end &+ 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard let end = JSONBytes.numberEnd(text, from: index) else { return false }
                span.token = .number
                index = end
            case UInt8(ascii: "t"):
                guard JSONBytes.hasLiteral("true", in: text, at: index) else { return false }
                span.token = .boolTrue
                index &+= 4
            case UInt8(ascii: "f"):
                guard JSONBytes.hasLiteral("false", in: text, at: index) else { return false }
                span.token = .boolFalse
                index &+= 5
            case UInt8(ascii: "n"):
                guard JSONBytes.hasLiteral("null", in: text, at: index) else { return false }
                span.token = .null
                index &+= 4
            default:
                // Nested values, and anything else the general path should see.
                return false
            }
            if span.token != .string { span.end = Int32(truncatingIfNeeded: index) }
            if position >= 0 {
                // A repeated member would make the general path pick one of them: let it.
                guard spans[position].token == .absent,
                      table.entries[position].tokens & (1 << span.token.rawValue) != 0 else { return false }
                spans[position] = span
                order[found] = Int32(truncatingIfNeeded: position)
                found &+= 1
                next = position &+ 1
            }
            index = Self.skipSpaces(text, index)
            guard index < count else { return false }
            if text[index] == UInt8(ascii: ",") {
                index = Self.skipSpaces(text, index &+ 1)
                continue
            }
            guard text[index] == UInt8(ascii: "}") else { return false }
            return JSONBytes.skipWhitespace(text, from: index &+ 1) == count
        }
    }

    /// Skips whitespace when the next byte may be some: compact JSON passes with one comparison,
    /// and a single space (`json.dumps`'s `": "` and `", "`) with three, without the loop.
    @inline(__always)
    private static func skipSpaces(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        guard index < text.count, text[index] <= 0x20 else { return index }
        if text[index] == 0x20, index &+ 1 < text.count, text[index &+ 1] > 0x20 { return index &+ 1 }
        return JSONBytes.skipWhitespace(text, from: index)
    }

    // MARK: Writing

    /// Writes the row's message from the spans in column order, emptying them; false (the
    /// writer unchanged) when a value needs the general path.
    private func write(_ text: UnsafeBufferPointer<UInt8>, spans: UnsafeMutablePointer<Span>,
                       into writer: inout ProtoWriter) -> Bool {
        let columnCount = table.count
        // The message is never longer than the text plus, per column, a tag and what a value
        // can grow by (a one-digit number becomes an eight-byte double or a ten-byte varint),
        // plus the slack of the eight-byte tag store.
        let start = writer.reserveUnchecked(text.count &+ columnCount &* 24 &+ 8)
        var out = start
        var position = 0
        var written = true
        while position < columnCount {
            let span = spans[position]
            spans[position].token = .absent
            let entry = table.entries[position]
            position &+= 1
            guard span.token != .absent, span.token != .null else {
                if entry.required { written = false; break }
                continue
            }
            let value = UnsafeBufferPointer(rebasing: text[Int(span.start)..<Int(span.end)])
            UnsafeMutableRawPointer(out).storeBytes(of: entry.tag.littleEndian, as: UInt64.self)
            out += Int(entry.tagLength)
            switch (entry.kind, span.token) {
            case (.int64, .number):
                guard let integer = ASCIIDigits.integer(value) else { written = false; break }
                out = Self.storeVarint(UInt64(bitPattern: integer), at: out)
            case (.float64, .number):
                guard let double = Double(String(decoding: value, as: UTF8.self)), double.isFinite else {
                    written = false
                    break
                }
                UnsafeMutableRawPointer(out).storeBytes(of: double.bitPattern.littleEndian, as: UInt64.self)
                out += 8
            case (.bool, .boolTrue), (.bool, .boolFalse):
                out.pointee = span.token == .boolTrue ? 1 : 0
                out += 1
            case (.string, .string), (.numeric, .string), (.bignumeric, .string), (.datetime, .string),
                 (.time, .string), (.geography, .string):
                out = ProtoWriter.storeVarint(UInt64(value.count), at: out)
                if let source = value.baseAddress, !value.isEmpty {
                    out.update(from: source, count: value.count)
                    out += value.count
                }
            case (.timestamp, .string):
                guard let micros = CivilTime.plainTimestampMicros(value)
                        ?? CivilTime.timestampMicros(utf8: ArraySlice(value)) else { written = false; break }
                out = Self.storeVarint(UInt64(bitPattern: micros), at: out)
            case (.date, .string):
                guard let days = CivilTime.plainDateDays(value) else { written = false; break }
                out = ProtoWriter.storeVarint(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: days))), at: out)
            default:
                written = false
            }
            if !written { break }
        }
        guard written else {
            while position < columnCount {
                spans[position].token = .absent
                position &+= 1
            }
            return false
        }
        writer.commitUnchecked(start.distance(to: out))
        return true
    }

    /// ``ProtoWriter/storeVarint(_:at:)``, with a value of five bytes or more (a timestamp's
    /// microseconds: eight) written as one word: its seven-bit groups spread into bytes, each but
    /// the last marked to continue. Writes up to eight bytes at `start` whatever the length (the
    /// row's room has them to spare).
    @inline(__always)
    private static func storeVarint(_ value: UInt64, at start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        guard value >= 1 << 28, value < 1 << 56 else { return ProtoWriter.storeVarint(value, at: start) }
        var spread = value & 0x7F
        spread |= (value & (0x7F << 7)) << 1
        spread |= (value & (0x7F << 14)) << 2
        spread |= (value & (0x7F << 21)) << 3
        spread |= (value & (0x7F << 28)) << 4
        spread |= (value & (0x7F << 35)) << 5
        spread |= (value & (0x7F << 42)) << 6
        spread |= (value & (0x7F << 49)) << 7
        // Bytes: one for each seven bits of the value's width.
        let bytes = (64 &- value.leadingZeroBitCount &+ 6) / 7
        let continued: UInt64 = 0x8080_8080_8080_8080 & ((1 &<< UInt64(8 &* (bytes &- 1))) &- 1)
        UnsafeMutableRawPointer(start).storeBytes(of: (spread | continued).littleEndian, as: UInt64.self)
        return start + bytes
    }
}

/// The columns as the scanner and writer read them: flat entries and the names one after
/// another, each followed by a quote, with room for word-sized reads past the last.
private final class ColumnTable: @unchecked Sendable {
    struct Entry {
        var keyStart: Int32
        var keyCount: Int32
        /// The field's tag as protobuf writes it (little-endian, `tagLength` bytes used).
        var tag: UInt64
        var tagLength: UInt8
        var kind: StorageSchema.Field.Kind
        var required: Bool
        /// The name is printable ASCII without quotes or backslashes: a key equal to it can be
        /// matched in place, since the scan of such a key would accept it.
        var quick: Bool
        /// ``StorageFastRowEncoder/Tokens``: bit *t* set, the column takes token *t*.
        var tokens: UInt8
    }

    let count: Int
    let entries: UnsafeMutablePointer<Entry>
    private let keys: UnsafeMutablePointer<UInt8>
    /// A name holds bytes outside ASCII: the general path's case-insensitive match lowercases
    /// Unicode (KELVIN SIGN is a `k`), which the byte comparison here does not follow.
    private let nonASCIIName: Bool

    init(_ columns: [StorageFastRowEncoder.Column]) {
        count = columns.count
        entries = .allocate(capacity: Swift.max(columns.count, 1))
        var keyBytes: [UInt8] = []
        for (position, column) in columns.enumerated() {
            var tag: UInt64 = 0
            var tagLength: UInt8 = 0
            let wire: UInt64 = switch column.kind {
            case .float64: 1
            case .int64, .bool, .timestamp, .date: 0
            default: 2
            }
            var value = UInt64(UInt32(bitPattern: column.number)) << 3 | wire
            repeat {
                let byte = UInt64(value & 0x7F) | (value >= 0x80 ? 0x80 : 0)
                tag |= byte << (8 * UInt64(tagLength))
                tagLength += 1
                value >>= 7
            } while value > 0
            // A column without a name has a key count no key has: it matches nothing.
            let name = column.name ?? []
            let quick = column.name != nil
                && name.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != JSONBytes.quote && $0 != JSONBytes.backslash }
            (entries + position).initialize(to: Entry(
                keyStart: Int32(truncatingIfNeeded: keyBytes.count),
                keyCount: column.name == nil ? -1 : Int32(truncatingIfNeeded: name.count),
                tag: tag, tagLength: tagLength, kind: column.kind, required: column.required, quick: quick,
                tokens: column.tokens.rawValue))
            keyBytes += name
            keyBytes.append(JSONBytes.quote)
        }
        nonASCIIName = columns.contains { $0.name?.contains { $0 >= 0x80 } ?? false }
        keyBytes += [UInt8](repeating: 0, count: 8)
        keys = .allocate(capacity: keyBytes.count)
        keys.initialize(from: keyBytes, count: keyBytes.count)
    }

    deinit {
        entries.deinitialize(count: count)
        entries.deallocate()
        keys.deallocate()
    }

    /// When the text at `start` (just after a key's opening quote) is column `position`'s name
    /// and the closing quote: the index after that quote.
    @inline(__always)
    func keyEnd(of position: Int, in text: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        let entry = entries[position]
        // The name and its closing quote.
        let length = Int(entry.keyCount) &+ 1
        guard entry.quick, let base = text.baseAddress, length <= text.count &- start else { return nil }
        // The key table has room to read a word past each name.
        guard JSONBytes.matches(base + start, readable: text.count &- start, padded: keys + Int(entry.keyStart),
                                count: length) else { return nil }
        return start &+ length
    }

    /// The column whose name is exactly `key`.
    func column(named key: UnsafeBufferPointer<UInt8>) -> Int? {
        for position in 0..<count {
            let entry = entries[position]
            guard Int(entry.keyCount) == key.count else { continue }
            if key.isEmpty { return position }
            if let keyBase = key.baseAddress, memcmp(keys + Int(entry.keyStart), keyBase, key.count) == 0 { return position }
        }
        return nil
    }

    /// Some column's name may equal `key` up to case, as the general path matches names (true
    /// for every key when a name is not ASCII).
    func matchesIgnoringCase(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        nonASCIIName || (0..<count).contains { position in
            let entry = entries[position]
            guard entry.keyCount >= 0, Int(entry.keyCount) == key.count else { return false }
            let name = UnsafeBufferPointer(start: keys + Int(entry.keyStart), count: key.count)
            return zip(name, key).allSatisfy { Self.lower($0) == Self.lower($1) }
        }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
