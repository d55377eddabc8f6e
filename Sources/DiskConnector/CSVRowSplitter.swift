import ProcessEngine

/// `split by="csv-rows"`: one document per CSV record (a quoted field may hold line breaks).
/// With `header="true"` the first record is the header: it is not a document, and each
/// document is the header line followed by its row, so every document is a small CSV file.
struct CSVRowSplitter: DocumentSplitter {
    let properties: [String: String]
    let hasHeader: Bool
    private var header: [UInt8]?
    private var record: [UInt8] = []
    private var inQuotes = false
    private var rowNumber = 0

    init(properties: [String: String], header: Bool) {
        self.properties = properties
        self.hasHeader = header
    }

    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document]) throws(DiskError) {
        var segmentStart = 0
        for position in 0..<block.count {
            let byte = block[position]
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if byte == 0x0A, !inQuotes {
                record.append(contentsOf: UnsafeBufferPointer(rebasing: block[segmentStart..<position]))
                endRecord(into: &documents)
                segmentStart = position + 1
            }
        }
        if segmentStart < block.count {
            record.append(contentsOf: UnsafeBufferPointer(rebasing: block[segmentStart...]))
        }
    }

    mutating func finish(into documents: inout [Document]) throws(DiskError) {
        if !record.isEmpty { endRecord(into: &documents) }
    }

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
            documents.append(Document(data: data, properties: properties, numbered: "disk.row", number: rowNumber))
        } else {
            documents.append(Document(data: record, properties: properties, numbered: "disk.row", number: rowNumber))
        }
    }
}
