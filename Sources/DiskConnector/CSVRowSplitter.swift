import ConveyorBase
import ProcessEngine

/// `split by="csv-rows"`: one document per CSV record (a quoted field may hold line breaks).
/// With `header="true"` the first record is the header: it is not a document, and each
/// document is the header line followed by its row, so every document is a small CSV file.
struct CSVRowSplitter: FileSplitter {
    let properties: [String: String]
    let hasHeader: Bool
    /// The file read, for errors.
    let file: String
    private var header: [UInt8]?
    private var record: [UInt8] = []
    /// Any quote outside a quoted field opens one: the splitter does not know the delimiter.
    private var quoting = CSVQuoting(mode: .quotesOpenAnywhere)
    private var rowNumber = 0
    /// The line being read (1-based) and the line where the open quoted field began.
    private var line = 1
    private var quoteLine = 0
    /// The longest record accepted: a quote left open must not swallow the rest of a large file.
    static let maxRecordBytes = 16 << 20

    init(file: String = "", properties: [String: String], header: Bool) {
        self.file = file
        self.properties = properties
        self.hasHeader = header
    }

    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document]) throws(DiskError) {
        var segmentStart = 0
        for position in 0..<block.count {
            let byte = block[position]
            let action = quoting.step(byte)
            if action == .openQuote || action == .escapedQuote {
                quoteLine = line
            } else if byte == 0x0A {
                line += 1
                guard action == .endLine else { continue }
                record.append(contentsOf: UnsafeBufferPointer(rebasing: block[segmentStart..<position]))
                endRecord(into: &documents)
                segmentStart = position + 1
            }
        }
        if segmentStart < block.count {
            record.append(contentsOf: UnsafeBufferPointer(rebasing: block[segmentStart...]))
        }
        if quoting.isInQuotes, record.count > Self.maxRecordBytes { throw unterminated() }
    }

    mutating func finish(into documents: inout [Document]) throws(DiskError) {
        if quoting.isInQuotes { throw unterminated() }
        if !record.isEmpty { endRecord(into: &documents) }
    }

    private func unterminated() -> DiskError {
        DiskError("\(file): line \(quoteLine): a quoted field is not closed (an unterminated '\"'"
                  + (record.count > Self.maxRecordBytes ? " runs on for more than \(Self.maxRecordBytes >> 20) MB)" : " runs to the end of the file)"))
    }

    /// `disk.row`, one name shared by every document.
    private static let rowProperty = NumberedPropertyName("disk.row")

    private mutating func endRecord(into documents: inout [Document]) {
        defer { record.removeAll(keepingCapacity: true) }
        if record.last == 0x0D { record.removeLast() }
        guard record.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        if hasHeader, header == nil {
            header = record
            return
        }
        rowNumber += 1
        if let header {
            var data = header
            data.reserveCapacity(header.count + 1 + record.count)
            data.append(0x0A)
            data += record
            documents.append(Document(data: consume data, properties: properties, numbered: Self.rowProperty, number: rowNumber))
        } else {
            documents.append(Document(data: record, properties: properties, numbered: Self.rowProperty, number: rowNumber))
        }
    }
}
