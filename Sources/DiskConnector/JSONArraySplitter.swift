import ConveyorBase
import ProcessEngine

/// `split by="json-array"`: one document per top-level element of a JSON array, found by a
/// small incremental scanner (strings, escapes and nesting), so the array is never held whole.
///
/// Elements are handed over as their bytes, trimmed; they are parsed only when a shape needs them.
struct JSONArraySplitter: FileSplitter {
    private enum State { case beforeArray, inArray, afterArray }

    let file: String
    let properties: [String: String]
    private var state = State.beforeArray
    /// Nesting depth inside the current element.
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// The bytes of the current element seen so far.
    private var element: [UInt8] = []
    private var elementCount = 0
    /// Bytes read so far, to place errors.
    private var offset = 0

    init(file: String, properties: [String: String]) {
        self.file = file
        self.properties = properties
    }

    mutating func consume(_ block: UnsafeBufferPointer<UInt8>, into documents: inout [Document]) throws(DiskError) {
        var position = 0
        var segmentStart = 0
        defer { offset += block.count }
        while position < block.count {
            let byte = block[position]
            switch state {
            case .beforeArray:
                if byte == UInt8(ascii: "[") {
                    state = .inArray
                    segmentStart = position + 1
                } else if !JSONBytes.isWhitespace(byte) {
                    throw notAnArray(at: offset + position)
                }
            case .afterArray:
                if !JSONBytes.isWhitespace(byte) {
                    throw DiskError("\(file): unexpected content after the JSON array at byte \(offset + position)")
                }
            case .inArray:
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == JSONBytes.backslash {
                        escaped = true
                    } else if byte == JSONBytes.quote {
                        inString = false
                    }
                } else {
                    switch byte {
                    case JSONBytes.quote: inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"):
                        guard depth > 0 else {
                            throw DiskError("\(file): unbalanced '}' in the JSON array at byte \(offset + position)")
                        }
                        depth -= 1
                    case UInt8(ascii: "]") where depth > 0: depth -= 1
                    case UInt8(ascii: ","), UInt8(ascii: "]"):
                        guard depth == 0 else { break }
                        element.append(contentsOf: UnsafeBufferPointer(rebasing: block[segmentStart..<position]))
                        try endElement(last: byte == UInt8(ascii: "]"), at: offset + position, into: &documents)
                        segmentStart = position + 1
                        if byte == UInt8(ascii: "]") { state = .afterArray }
                    default: break
                    }
                }
            }
            position += 1
        }
        if state == .inArray, segmentStart < block.count {
            element.append(contentsOf: UnsafeBufferPointer(rebasing: block[segmentStart...]))
        }
    }

    mutating func finish(into documents: inout [Document]) throws(DiskError) {
        switch state {
        case .beforeArray: throw notAnArray(at: offset)
        case .inArray: throw DiskError("\(file): the JSON array is not closed (file ends at byte \(offset))")
        case .afterArray: break
        }
    }

    private mutating func endElement(last: Bool, at byteOffset: Int, into documents: inout [Document]) throws(DiskError) {
        var start = 0
        var end = element.count
        while start < end, JSONBytes.isWhitespace(element[start]) { start += 1 }
        while end > start, JSONBytes.isWhitespace(element[end - 1]) { end -= 1 }
        if start == end {
            // `[]` is an empty array; any other empty element is a syntax error.
            guard last, elementCount == 0 else {
                throw DiskError("\(file): empty element in the JSON array at byte \(byteOffset)")
            }
            return
        }
        documents.append(Document(data: Array(element[start..<end]), properties: properties))
        elementCount += 1
        element.removeAll(keepingCapacity: true)
    }

    private func notAnArray(at byteOffset: Int) -> DiskError {
        DiskError("\(file): split by json-array needs a JSON array at the top level (byte \(byteOffset))")
    }
}
