import ConveyorBase
import DocumentMapping

/// Reads the `rows` of a getQueryResults response straight from the response bytes into each
/// row's output JSON, without a tree: the cells' text is copied where the tree path would write it
/// unchanged (plain strings, integers, JSON numbers, `true`/`false`, NUMERIC without exponent),
/// and any other cell takes ``RowDecoder``'s conversion for that one cell. The output bytes equal
/// those of the tree path (`FastResultRowsTests` compares them over generated pages).
///
/// Schemas with RECORD or REPEATED fields, and rows or cells in any form but `{"f":[{"v":…}]}`,
/// are left to the tree path (nil), which also words the errors.
struct FastResultRows: Sendable {
    private let decoder: RowDecoder
    /// `"name":` of each field, with `,` before all but the first and `{` before the first.
    private let prefixes: [[UInt8]]

    init?(fields: [ResultField]) {
        var names = Set<String>()
        for field in fields {
            if field.repeated { return nil }
            if case .record = field.kind { return nil }
            // The tree path keeps the last of two cells with one name; such rows take it.
            guard names.insert(field.name).inserted else { return nil }
        }
        decoder = RowDecoder(fields: fields)
        prefixes = fields.enumerated().map { position, field in
            var prefix: [UInt8] = [position == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")]
            JSONValue.string(field.name).serialize(into: &prefix)
            prefix.append(UInt8(ascii: ":"))
            return prefix
        }
    }

    /// Each row's output JSON, in order, for the rows array at `range` of `body`; nil when a row
    /// needs the tree path.
    func rows(in body: [UInt8], at range: Range<Int>) -> [[UInt8]]? {
        body.withUnsafeBufferPointer { bytes in rows(bytes, range) }
    }

    private func rows(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [[UInt8]]? {
        guard range.upperBound <= bytes.count, range.lowerBound < range.upperBound,
              bytes[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        var output: [[UInt8]] = []
        var index = JSONBytes.skipWhitespace(bytes, from: range.lowerBound + 1)
        if index < range.upperBound, bytes[index] == UInt8(ascii: "]") { return index + 1 == range.upperBound ? output : nil }
        var row: [UInt8] = []
        while index < range.upperBound {
            row.removeAll(keepingCapacity: true)
            guard let end = self.row(bytes, from: index, into: &row) else { return nil }
            output.append(row)
            index = JSONBytes.skipWhitespace(bytes, from: end)
            guard index < range.upperBound else { return nil }
            // The array must end where the page's reader found its end (it only matched brackets).
            if bytes[index] == UInt8(ascii: "]") { return index + 1 == range.upperBound ? output : nil }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = JSONBytes.skipWhitespace(bytes, from: index + 1)
        }
        return nil
    }

    /// `{"f":[cells]}` at `start`: writes the row's object, returns the index after its `}`.
    private func row(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into row: inout [UInt8]) -> Int? {
        guard var index = member("f", bytes, from: start), index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
            return nil
        }
        index = JSONBytes.skipWhitespace(bytes, from: index + 1)
        for position in prefixes.indices {
            if position > 0 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
                index = JSONBytes.skipWhitespace(bytes, from: index + 1)
            }
            guard let valueStart = member("v", bytes, from: index) else { return nil }
            row.append(contentsOf: prefixes[position])
            guard let valueEnd = cell(bytes, at: valueStart, field: decoder.fields[position], into: &row) else {
                return nil
            }
            index = JSONBytes.skipWhitespace(bytes, from: valueEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
            index = JSONBytes.skipWhitespace(bytes, from: index + 1)
        }
        // The cells end here (as many as the schema has fields), then the row object does.
        guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else { return nil }
        index = JSONBytes.skipWhitespace(bytes, from: index + 1)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
        if prefixes.isEmpty { row.append(UInt8(ascii: "{")) }
        row.append(UInt8(ascii: "}"))
        return index + 1
    }

    /// `{"key":` at `start` (the object's only member): the index of its value.
    private func member(_ key: StaticString, _ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
        var index = JSONBytes.skipWhitespace(bytes, from: start + 1)
        guard index + 2 < bytes.count, bytes[index] == UInt8(ascii: "\""),
              bytes[index + 1] == key.utf8Start.pointee, bytes[index + 2] == UInt8(ascii: "\"") else { return nil }
        index = JSONBytes.skipWhitespace(bytes, from: index + 3)
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
        return JSONBytes.skipWhitespace(bytes, from: index + 1)
    }

    /// One cell's value at `start`, written as the tree path writes it; the index after it.
    private func cell(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, field: ResultField,
                      into row: inout [UInt8]) -> Int? {
        guard start < bytes.count else { return nil }
        if bytes[start] == UInt8(ascii: "n") {
            guard JSONBytes.hasLiteral("null", in: bytes, at: start) else { return nil }
            row.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            return start + 4
        }
        // Cells other than strings and null (numbers, objects) take the tree path.
        guard bytes[start] == UInt8(ascii: "\""), let scan = JSONBytes.stringEnd(bytes, from: start + 1) else { return nil }
        let text = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(scan.end - 1)])
        if !scan.escaped, Self.copy(text, kind: field.kind, into: &row) { return scan.end }
        // Every other cell: RowDecoder's conversion of its text, serialised.
        guard case .string(let string)? = try? JSONParser.parse(Array(UnsafeBufferPointer(rebasing: bytes[start..<scan.end]))),
              let value = try? decoder.scalar(.string(string), field: field) else { return nil }
        value.serialize(into: &row)
        return scan.end
    }

    /// Writes `text` (a cell's text, no escapes in it) where the tree path would write it
    /// unchanged; false for text it converts.
    private static func copy(_ text: UnsafeBufferPointer<UInt8>, kind: ResultField.Kind, into row: inout [UInt8]) -> Bool {
        switch kind {
        case .text:
            row.append(UInt8(ascii: "\""))
            row.append(contentsOf: text)
            row.append(UInt8(ascii: "\""))
            return true
        case .integer:
            var index = 0
            if index < text.count, text[index] == UInt8(ascii: "-") { index += 1 }
            guard index < text.count else { return false }
            while index < text.count {
                guard text[index] >= 0x30, text[index] <= 0x39 else { return false }
                index += 1
            }
            row.append(contentsOf: text)
            return true
        case .float:
            guard !text.isEmpty, JSONBytes.numberEnd(text, from: 0) == text.count else { return false }
            row.append(contentsOf: text)
            return true
        case .boolean:
            if (text.count == 4 && JSONBytes.hasLiteral("true", in: text, at: 0))
                || (text.count == 5 && JSONBytes.hasLiteral("false", in: text, at: 0)) {
                row.append(contentsOf: text)
                return true
            }
            return false
        case .decimalText:
            guard !text.contains(UInt8(ascii: "e")), !text.contains(UInt8(ascii: "E")) else { return false }
            row.append(UInt8(ascii: "\""))
            row.append(contentsOf: text)
            row.append(UInt8(ascii: "\""))
            return true
        case .timestamp:
            // Microseconds since the epoch (`useInt64Timestamp`), as RowDecoder converts them;
            // epoch-seconds text takes the conversion one cell at a time.
            guard let micros = ASCIIDigits.integer(text) else { return false }
            row.append(UInt8(ascii: "\""))
            row.append(contentsOf: CellText.rfc3339(micros: micros).utf8)
            row.append(UInt8(ascii: "\""))
            return true
        case .json, .record:
            return false
        }
    }
}
