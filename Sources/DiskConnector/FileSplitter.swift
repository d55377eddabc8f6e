import Foundation
import ProcessEngine

/// Turns a file's bytes, fed block by block, into documents without holding the whole file
/// (except ``WholeFileSplitter``). A document may span any number of blocks.
protocol FileSplitter {
    /// Consumes the next bytes of the file, appending every document they complete.
    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document]) throws(DiskError)
    /// Like ``consume(_:into:)``, but may stop once `documents` holds `limit` documents; returns
    /// how many bytes of `block` it consumed (the rest is to be passed again). Splitters that do
    /// not stop consume the whole block.
    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document],
                          upTo limit: Int) throws(DiskError) -> Int
    /// The file ended: appends what is left, or throws when the file ended mid-document.
    mutating func finish(into documents: inout [Document]) throws(DiskError)
    /// Takes back documents the process is done with (their content buffers may be reused for the
    /// next documents) and empties `documents`.
    mutating func recycle(_ documents: inout [Document])
}

extension FileSplitter {
    mutating func recycle(_ documents: inout [Document]) { documents.removeAll(keepingCapacity: true) }

    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document],
                          upTo limit: Int) throws(DiskError) -> Int {
        try consume(block, into: &documents)
        return block.count
    }
}

extension DiskSplit {
    /// A splitter for one file.
    func splitter(file: String, properties: [String: String], header: Bool) -> any FileSplitter {
        switch self {
        case .none: WholeFileSplitter(properties: properties)
        case .jsonLines: LineSplitter(properties: properties)
        case .jsonArray: JSONArraySplitter(file: file, properties: properties)
        case .csvRows: CSVRowSplitter(file: file, properties: properties, header: header)
        }
    }
}

/// `split by="none"`: the whole file is one document.
struct WholeFileSplitter: FileSplitter {
    let properties: [String: String]
    private var bytes: [UInt8] = []

    init(properties: [String: String]) { self.properties = properties }

    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document]) throws(DiskError) {
        bytes.append(contentsOf: block)
    }

    mutating func finish(into documents: inout [Document]) throws(DiskError) {
        documents.append(Document(data: bytes, properties: properties))
        bytes = []
    }
}

/// `split by="json-lines"`: one document per non-blank line (`\r\n` accepted), numbered in
/// the `disk.line` property.
struct LineSplitter: FileSplitter {
    /// The file's properties, shared by every document; `disk.line` is kept as a number on each.
    let properties: [String: String]
    /// The start of a line whose end is in a later block.
    private var carry: [UInt8] = []
    private var lineNumber = 1
    /// Empty buffers of documents the process was done with, for the next documents' content.
    private var spare = BufferPool()

    init(properties: [String: String]) { self.properties = properties }

    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document]) throws(DiskError) {
        _ = consume(block, into: &documents, upTo: Int.max)
    }

    /// Stops before the first line once `documents` holds `limit` documents, so a reader handing
    /// over chunks of `limit` never moves documents from one chunk to the next.
    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document],
                          upTo limit: Int) -> Int {
        guard let base = block.baseAddress else { return 0 }
        var start = 0
        while start < block.count {
            if documents.count >= limit { return start }
            guard let found = memchr(base + start, 0x0A, block.count - start) else {
                carry.append(contentsOf: UnsafeBufferPointer(rebasing: block[start...]))
                return block.count
            }
            let end = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
            if carry.isEmpty {
                addLine(UnsafeBufferPointer(rebasing: block[start..<end]), into: &documents)
            } else {
                carry.append(contentsOf: UnsafeBufferPointer(rebasing: block[start..<end]))
                var line: [UInt8] = []
                swap(&line, &carry)
                line.withUnsafeBufferPointer { addLine($0, into: &documents) }
                line.removeAll(keepingCapacity: true)
                swap(&line, &carry)
            }
            lineNumber += 1
            start = end + 1
        }
        return block.count
    }

    mutating func finish(into documents: inout [Document]) throws(DiskError) {
        guard !carry.isEmpty else { return }
        let line = carry
        carry = []
        line.withUnsafeBufferPointer { addLine($0, into: &documents) }
    }

    private mutating func addLine(_ line: UnsafeBufferPointer<UInt8>, into documents: inout [Document]) {
        var count = line.count
        if count > 0, line[count - 1] == 0x0D { count -= 1 }
        var blank = true
        for position in 0..<count where line[position] != 0x20 && line[position] != 0x09 {
            blank = false
            break
        }
        guard !blank else { return }
        var data = spare.take()
        data.append(contentsOf: UnsafeBufferPointer(rebasing: line[0..<count]))
        documents.append(Document(data: consume data, properties: properties, numbered: Self.lineProperty, number: lineNumber))
    }

    mutating func recycle(_ documents: inout [Document]) { spare.recycle(&documents) }

    /// `disk.line`, one name shared by every document.
    private static let lineProperty = NumberedPropertyName("disk.line")
}

