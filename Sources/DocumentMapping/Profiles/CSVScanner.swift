import ConveyorBase

/// Splits CSV bytes into records and fields (RFC 4180 with a chosen delimiter and quote).
///
/// A quoted field may hold delimiters, line breaks and doubled quotes; records end at `\n`
/// or `\r\n`. A blank line between records is skipped. Each record keeps the byte range it
/// came from, so splitting can copy records as they were written.
struct CSVScanner {
    /// One record: its fields and where it lies in the input (line break excluded).
    struct Record {
        var fields: [String]
        var range: Range<Int>
        /// The line the record starts on, one-based.
        var line: Int
    }

    let delimiter: UInt8
    let quote: UInt8

    init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\"")) {
        self.delimiter = delimiter
        self.quote = quote
    }

    /// Every record of `bytes`; throws when a quoted field is not closed or text follows a closing quote.
    func records(_ bytes: [UInt8]) throws(CSVError) -> [Record] {
        var records: [Record] = []
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        let count = bytes.count
        while index < count {
            if bytes[index] == UInt8(ascii: "\n") {
                index += 1
                line += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "\r"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "\n") {
                index += 2
                line += 1
                continue
            }
            let start = index
            let startLine = line
            var fields: [String] = []
            var field: [UInt8] = []
            var quoting = CSVQuoting(delimiter: delimiter, quote: quote)
            var afterCarriageReturn = false
            var lineEnded = false
            recordLoop: while index < count {
                let byte = bytes[index]
                let action = quoting.step(byte)
                switch action {
                case .text, .escapedQuote, .carriageReturn:
                    // A line feed that is text lies inside a quoted field.
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                case .openQuote, .closeQuote:
                    break
                case .endField:
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                case .endLine:
                    // The line break (`\n` or `\r\n`) is left for the loop over records.
                    if afterCarriageReturn {
                        field.removeLast()
                        index -= 1
                    }
                    lineEnded = true
                    break recordLoop
                case .textAfterQuote:
                    throw CSVError(line: line, message: "text after a closing quote")
                }
                afterCarriageReturn = action == .carriageReturn
                index += 1
            }
            if !lineEnded, quoting.isInQuotes { throw CSVError(line: startLine, message: "a quoted field is not closed") }
            fields.append(String(decoding: field, as: UTF8.self))
            records.append(Record(fields: fields, range: start..<index, line: startLine))
        }
        return records
    }
}

/// A CSV text that cannot be read.
struct CSVError: Error, Sendable {
    var line: Int
    var message: String
}

/// Writes CSV fields, quoting those that hold the delimiter, the quote or a line break.
struct CSVWriter {
    let delimiter: UInt8
    let quote: UInt8

    init(delimiter: UInt8 = UInt8(ascii: ","), quote: UInt8 = UInt8(ascii: "\"")) {
        self.delimiter = delimiter
        self.quote = quote
    }

    /// Appends one record and a `\n` to `output`.
    func append(_ fields: [String], to output: inout [UInt8]) {
        for (position, field) in fields.enumerated() {
            if position > 0 { output.append(delimiter) }
            let bytes = Array(field.utf8)
            let needsQuotes = bytes.contains {
                $0 == delimiter || $0 == quote || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r")
            } || bytes.first == UInt8(ascii: " ") || bytes.last == UInt8(ascii: " ")
            guard needsQuotes else {
                output.append(contentsOf: bytes)
                continue
            }
            output.append(quote)
            for byte in bytes {
                if byte == quote { output.append(quote) }
                output.append(byte)
            }
            output.append(quote)
        }
        output.append(UInt8(ascii: "\n"))
    }
}
