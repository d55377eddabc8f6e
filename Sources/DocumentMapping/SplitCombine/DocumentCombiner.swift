/// Joins many documents into one, byte-level.
///
/// - `json-array`: `[a,b,…]`; each part must be one JSON value (checked; a part holding line
///   breaks is re-written compactly).
/// - `json-lines`: each part on its own line; a part must be one JSON value, written compactly
///   when it spans lines.
/// - `csv`: the first part is kept whole (its first record is the header); from each later part
///   the first record (its header) is dropped and the other records are appended.
/// No parts give an empty array (`[]`) for json-array and no bytes otherwise.
public enum DocumentCombiner {
    /// Combines `parts`; throws ``SplitCombineError`` naming the part that does not fit the format.
    public static func combine(_ parts: [[UInt8]], into format: CombineFormat) throws -> [UInt8] {
        func fail(_ message: String) -> SplitCombineError {
            SplitCombineError(operation: "combine", format: format.rawValue, message: message)
        }
        var output: [UInt8] = []
        output.reserveCapacity(parts.reduce(2) { $0 + $1.count + 1 })
        switch format {
        case .jsonArray:
            output.append(UInt8(ascii: "["))
            for (index, part) in parts.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try appendJSON(part, index: index, to: &output, fail: fail)
            }
            output.append(UInt8(ascii: "]"))
        case .jsonLines:
            for (index, part) in parts.enumerated() {
                try appendJSON(part, index: index, to: &output, fail: fail)
                output.append(UInt8(ascii: "\n"))
            }
        case .csv:
            let scanner = CSVScanner()
            for (index, part) in parts.enumerated() {
                let records: [CSVScanner.Record]
                do { records = try scanner.records(part) } catch {
                    throw fail("part \(index): \(error.message) (line \(error.line))")
                }
                for record in records.dropFirst(index == 0 ? 0 : 1) {
                    output.append(contentsOf: part[record.range])
                    output.append(UInt8(ascii: "\n"))
                }
            }
        }
        return output
    }

    /// Appends one JSON part, validated, trimmed and made single-line when needed.
    private static func appendJSON(_ part: [UInt8], index: Int, to output: inout [UInt8],
                                   fail: (String) -> SplitCombineError) throws {
        let value: JSONValue
        do { value = try JSONParser.parse(part) } catch { throw fail("part \(index) is not valid JSON: \(error)") }
        if part.contains(UInt8(ascii: "\n")) || part.contains(UInt8(ascii: "\r")) {
            value.serialize(into: &output)
            return
        }
        var slice = part[...]
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
        output.append(contentsOf: slice)
    }
}
