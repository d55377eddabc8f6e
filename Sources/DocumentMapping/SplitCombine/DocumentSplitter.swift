import ProcessModel

/// How the split shape cuts one document into many.
public enum SplitFormat: String, Sendable, CaseIterable {
    case jsonArray = "json-array", jsonLines = "json-lines", csvRows = "csv-rows", xmlElement = "xml-element"
}

/// How the combine shape joins many documents into one.
public enum CombineFormat: String, Sendable, CaseIterable {
    case jsonArray = "json-array", jsonLines = "json-lines", csv
}

/// Why documents could not be split or combined: the format, where, and what is wrong.
///
/// `description` reads e.g. `split json-array: /items is not an array (found an object)` or
/// `combine csv: part 2: a quoted field is not closed (line 3)`.
public struct SplitCombineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `split` or `combine`.
    public var operation: String
    /// The format's name (`json-array`, `csv-rows`, …).
    public var format: String
    /// What is wrong, and where.
    public var message: String

    /// Creates an error.
    public init(operation: String, format: String, message: String) {
        self.operation = operation
        self.format = format
        self.message = message
    }

    public var description: String { "\(operation) \(format): \(message)" }
}

/// Cuts one document into many, byte-level.
///
/// - `json-array`: each element of the array at `path` (`/items`), or of the top-level array when
///   `path` is nil, as compact JSON.
/// - `json-lines`: each non-empty line (a trailing `\r` is dropped).
/// - `csv-rows`: the first record is always taken as the header; each later record becomes a
///   document of the header line and that record, both copied as written (quoted fields with
///   line breaks stay intact). Comma delimiter, `"` quote.
/// - `xml-element`: `path` such as `/orders/order` names the root element and then child
///   elements step by step; each element reached is written as its own XML document.
/// Empty input (or input of white space only) gives no documents.
public enum DocumentSplitter {
    /// Splits `data`; throws ``SplitCombineError`` when the input does not have the format.
    public static func split(_ data: [UInt8], by format: SplitFormat, path: String?) throws -> [[UInt8]] {
        func fail(_ message: String) -> SplitCombineError {
            SplitCombineError(operation: "split", format: format.rawValue, message: message)
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [] }
        switch format {
        case .jsonArray: return try splitJSONArray(data, path: path, fail: fail)
        case .jsonLines: return splitLines(data)
        case .csvRows:
            let records: [CSVScanner.Record]
            do { records = try CSVScanner().records(data) } catch {
                throw fail("\(error.message) (line \(error.line))")
            }
            guard let header = records.first else { return [] }
            let headerBytes = data[header.range]
            return records.dropFirst().map { record in
                var part: [UInt8] = []
                part.reserveCapacity(headerBytes.count + record.range.count + 2)
                part.append(contentsOf: headerBytes)
                part.append(UInt8(ascii: "\n"))
                part.append(contentsOf: data[record.range])
                part.append(UInt8(ascii: "\n"))
                return part
            }
        case .xmlElement: return try splitXML(data, path: path, fail: fail)
        }
    }

    private static func splitJSONArray(_ data: [UInt8], path: String?,
                                       fail: (String) -> SplitCombineError) throws -> [[UInt8]] {
        let document: JSONValue
        do { document = try JSONParser.parse(data) } catch { throw fail("input is not valid JSON: \(error)") }
        var selected = document
        if let path, path != "/" {
            let parsed: DocumentPath
            do { parsed = try DocumentPath(path) } catch { throw fail("\(error)") }
            guard parsed.wildcardCount == 0 else { throw fail("path '\(path)' may not contain '*'") }
            guard let value = parsed.firstValue(in: document) else { throw fail("\(path) is not in the document") }
            selected = value
        }
        guard case .array(let elements) = selected else {
            throw fail("\(path ?? "the document") is not an array (found \(selected.brief))")
        }
        return elements.map { $0.serialized() }
    }

    private static func splitLines(_ data: [UInt8]) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var slice = line[...]
            if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            parts.append(Array(slice))
        }
        return parts
    }

    private static func splitXML(_ data: [UInt8], path: String?,
                                 fail: (String) -> SplitCombineError) throws -> [[UInt8]] {
        guard let path else { throw fail("a path such as /orders/order is required") }
        let names = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        guard path.first == "/", names.count >= 2, !names.contains(where: \.isEmpty) else {
            throw fail("path '\(path)' must name the root element and at least one child, e.g. /orders/order")
        }
        let result: Result<[[UInt8]], XMLInputError> = XMLInput.withDocument(data) { document, root in
            let rootName = XMLInput.name(of: root)
            guard rootName == names[0] else {
                return .failure(XMLInputError(line: 1, message: "the root element is <\(rootName)>, not <\(names[0])>"))
            }
            var level = [root]
            for name in names.dropFirst() {
                level = level.flatMap { XMLInput.children(of: $0, named: name) }
            }
            let header = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)
            return .success(level.map { header + XMLInput.dump($0, in: document) })
        }
        switch result {
        case .success(let parts): return parts
        case .failure(let error): throw fail("line \(error.line): \(error.message)")
        }
    }
}
