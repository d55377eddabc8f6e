/// How a split shape cuts a document into parts.
public enum SplitFormat: String, Sendable, CaseIterable {
    case jsonArray = "json-array", jsonLines = "json-lines", csvRows = "csv-rows", xmlElement = "xml-element"
}

/// How a combine shape joins documents into one.
public enum CombineFormat: String, Sendable, CaseIterable {
    case jsonArray = "json-array", jsonLines = "json-lines", csv
}

/// Why a document cannot be split or documents cannot be combined.
public struct SplitCombineError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Cuts one document into many (JSON arrays and JSON lines in this version).
public enum DocumentSplitter {
    /// The parts of `data`: the elements of the array at `path` (or the root), or its non-empty lines.
    public static func split(_ data: [UInt8], by format: SplitFormat, path: String?) throws -> [[UInt8]] {
        switch format {
        case .jsonArray:
            var value = try JSONParser.parse(data)
            if let path, !path.isEmpty, path != "/" {
                for key in path.split(separator: "/") {
                    guard case .object(let object) = value, let member = object[String(key)] else {
                        throw SplitCombineError("no array at '\(path)'")
                    }
                    value = member
                }
            }
            guard case .array(let elements) = value else {
                throw SplitCombineError("the document is not a JSON array at '\(path ?? "/")'")
            }
            return elements.map { $0.serialized() }
        case .jsonLines:
            return data.split(separator: UInt8(ascii: "\n")).map { line in
                line.last == UInt8(ascii: "\r") ? Array(line.dropLast()) : Array(line)
            }.filter { !$0.isEmpty }
        case .csvRows, .xmlElement:
            throw SplitCombineError("split by \(format.rawValue) is not available")
        }
    }
}

/// Joins many documents into one (JSON arrays and JSON lines in this version).
public enum DocumentCombiner {
    /// One document made of `parts`.
    public static func combine(_ parts: [[UInt8]], into format: CombineFormat) throws -> [UInt8] {
        switch format {
        case .jsonArray:
            return try JSONValue.array(parts.map { try JSONParser.parse($0) }).serialized()
        case .jsonLines:
            var result: [UInt8] = []
            for part in parts {
                result += part
                result.append(UInt8(ascii: "\n"))
            }
            return result
        case .csv:
            throw SplitCombineError("combine into csv is not available")
        }
    }
}
