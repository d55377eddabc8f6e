import ConveyorBase
import Foundation

/// Encodes the common storage-write row straight from a document's JSON text: a flat object
/// whose members are scalars of the table's flat columns.
///
/// It produces exactly the bytes ``ProtoRowEncoder`` writes for the row ``StorageRowPreparer``
/// prepares, without building either tree. Anything outside the plain case — escapes, non-ASCII
/// text, values that need a cast, nested values, missing REQUIRED columns, member names that
/// differ only by case, invalid JSON — makes it decline (`false`), and the caller takes the
/// general path, which also produces the error message when there is one.
struct StorageFastRowEncoder: Sendable {
    struct Column: Sendable {
        var name: [UInt8]
        var kind: StorageSchema.Field.Kind
        var number: Int32
        var required: Bool
    }

    let columns: [Column]
    let dropUnknown: Bool
    /// The column names one after another, and where each starts (`nameStarts[i]..<nameStarts[i + 1]`).
    private let names: [UInt8]
    private let nameStarts: [Int]

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
        names = columns.flatMap(\.name)
        var starts = [0]
        for column in columns { starts.append((starts.last ?? 0) + column.name.count) }
        nameStarts = starts
    }

    /// One member value's place in the text.
    struct Span {
        enum Token: UInt8 { case string, number, boolTrue, boolFalse, null }
        var token: Token
        var start: Int
        var end: Int
    }

    /// Appends the row message of `bytes` to `writer`; false (and `writer` unchanged) when the
    /// row needs the general path. `spans` is scratch space reused between rows.
    func encode(_ bytes: [UInt8], into writer: inout ProtoWriter, spans: inout [Span?]) -> Bool {
        if spans.count != columns.count { spans = Array(repeating: nil, count: columns.count) }
        for index in spans.indices { spans[index] = nil }
        guard scan(bytes, spans: &spans) else { return false }
        let mark = writer.count
        let written = bytes.withUnsafeBufferPointer { text in
            for index in columns.indices {
                guard let span = spans[index], span.token != .null else {
                    if columns[index].required { return false }
                    continue
                }
                guard write(span, of: text, in: bytes, kind: columns[index].kind, number: columns[index].number,
                            into: &writer) else { return false }
            }
            return true
        }
        if !written { writer.truncate(to: mark) }
        return written
    }

    // MARK: Scanning

    private func scan(_ bytes: [UInt8], spans: inout [Span?]) -> Bool {
        bytes.withUnsafeBufferPointer { text in
            var index = Self.skipSpaces(text, 0)
            guard index < text.count, text[index] == UInt8(ascii: "{") else { return false }
            index = Self.skipSpaces(text, index + 1)
            guard index < text.count else { return false }
            if text[index] == UInt8(ascii: "}") { return Self.skipSpaces(text, index + 1) == text.count }
            // Members usually come in the columns' order: the column after the last one matched is tried first.
            var next = 0
            while true {
                guard index < text.count, text[index] == UInt8(ascii: "\""),
                      let keyEnd = Self.plainStringEnd(text, index + 1) else { return false }
                let key = UnsafeBufferPointer(rebasing: text[(index + 1)..<keyEnd])
                index = Self.skipSpaces(text, keyEnd + 1)
                guard index < text.count, text[index] == UInt8(ascii: ":") else { return false }
                index = Self.skipSpaces(text, index + 1)
                guard let (span, end) = Self.value(text, index) else { return false }
                switch column(named: key, hint: next) {
                case .some(let position):
                    next = position + 1
                    // A repeated member would make the general path pick one of them: let it.
                    guard spans[position] == nil else { return false }
                    spans[position] = span
                case .none:
                    guard dropUnknown, !matchesIgnoringCase(key) else { return false }
                }
                index = Self.skipSpaces(text, end)
                guard index < text.count else { return false }
                if text[index] == UInt8(ascii: ",") {
                    index = Self.skipSpaces(text, index + 1)
                    continue
                }
                guard text[index] == UInt8(ascii: "}") else { return false }
                return Self.skipSpaces(text, index + 1) == text.count
            }
        }
    }

    private func column(named key: UnsafeBufferPointer<UInt8>, hint: Int) -> Int? {
        names.withUnsafeBufferPointer { names in
            nameStarts.withUnsafeBufferPointer { starts in
                let columns = starts.count - 1
                guard let keyBase = key.baseAddress, let namesBase = names.baseAddress else {
                    // An empty key: only an empty column name matches it.
                    return (0..<columns).first { starts[$0 + 1] == starts[$0] && key.isEmpty }
                }
                func matches(_ position: Int) -> Bool {
                    starts[position + 1] - starts[position] == key.count
                        && memcmp(namesBase + starts[position], keyBase, key.count) == 0
                }
                if hint < columns, matches(hint) { return hint }
                for position in 0..<columns where position != hint && matches(position) { return position }
                return nil
            }
        }
    }

    private func matchesIgnoringCase(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        columns.contains { column in
            column.name.count == key.count && zip(column.name, key).allSatisfy { Self.lower($0) == Self.lower($1) }
        }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    @inline(__always)
    private static func skipSpaces(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        JSONBytes.skipWhitespace(text, from: start)
    }

    /// The index of the closing quote of a string starting at `start` (after its opening quote)
    /// when it holds printable ASCII only, without escapes.
    @inline(__always)
    private static func plainStringEnd(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        JSONBytes.plainASCIIStringEnd(text, from: start)
    }

    /// A scalar value (or null) at `start`: its span and the index after it; nil for nested values
    /// and anything else the general path should see.
    private static func value(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> (Span, Int)? {
        guard start < text.count else { return nil }
        switch text[start] {
        case UInt8(ascii: "\""):
            guard let end = plainStringEnd(text, start + 1) else { return nil }
            return (Span(token: .string, start: start + 1, end: end), end + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let end = numberEnd(text, start) else { return nil }
            return (Span(token: .number, start: start, end: end), end)
        case UInt8(ascii: "t"):
            guard literal(text, start, "true") else { return nil }
            return (Span(token: .boolTrue, start: start, end: start + 4), start + 4)
        case UInt8(ascii: "f"):
            guard literal(text, start, "false") else { return nil }
            return (Span(token: .boolFalse, start: start, end: start + 5), start + 5)
        case UInt8(ascii: "n"):
            guard literal(text, start, "null") else { return nil }
            return (Span(token: .null, start: start, end: start + 4), start + 4)
        default:
            return nil
        }
    }

    @inline(__always)
    private static func literal(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ word: StaticString) -> Bool {
        JSONBytes.hasLiteral(word, in: text, at: start)
    }

    /// The end of a JSON number (strict grammar) starting at `start`.
    @inline(__always)
    private static func numberEnd(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        JSONBytes.numberEnd(text, from: start)
    }

    // MARK: Writing

    private func write(_ span: Span, of all: UnsafeBufferPointer<UInt8>, in bytes: [UInt8], kind: StorageSchema.Field.Kind,
                       number: Int32, into writer: inout ProtoWriter) -> Bool {
        let text = UnsafeBufferPointer(rebasing: all[span.start..<span.end])
        switch (kind, span.token) {
        case (.int64, .number):
            guard let value = ASCIIDigits.integer(text) else { return false }
            writer.int64(number, value)
        case (.float64, .number):
            guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else { return false }
            writer.double(number, value)
        case (.bool, .boolTrue), (.bool, .boolFalse):
            writer.bool(number, span.token == .boolTrue)
        case (.string, .string), (.numeric, .string), (.bignumeric, .string), (.datetime, .string),
             (.time, .string), (.geography, .string):
            writer.lengthDelimited(number, text)
        case (.timestamp, .string):
            guard let micros = CivilTime.timestampMicros(utf8: bytes[span.start..<span.end]) else { return false }
            writer.int64(number, micros)
        case (.date, .string):
            guard let date = CivilTime.date(bytes[span.start..<span.end]), date.rest.isEmpty else { return false }
            writer.int64(number, Int64(Int32(truncatingIfNeeded: date.days)))
        default:
            return false
        }
        return true
    }
}
