import DocumentMapping
import Foundation
import ProcessEngine

/// `action="get"`: every file matching the pattern, split into documents.
struct DiskGetOperation: ConnectorOperation {
    var directory: String
    var pattern: String
    var split: DiskSplit
    var deleteAfterRead: Bool
    var chunkSize = 10_000

    func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DiskError("cannot list directory \(directory): \(error.localizedDescription)")
        }
        for name in names.sorted() where fnmatch(pattern, name, 0) == 0 {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DiskError("cannot read file \(path)")
            }
            let properties = ["disk.fileName": name, "disk.directory": directory]
            let documents = try Self.documents(from: [UInt8](data), split: split, file: path, properties: properties)
            var start = 0
            while start < documents.count {
                let end = min(start + chunkSize, documents.count)
                try await emit(Array(documents[start..<end]))
                start = end
            }
            if deleteAfterRead {
                do { try FileManager.default.removeItem(atPath: path) } catch {
                    throw DiskError("read \(path) but could not delete it: \(error.localizedDescription)")
                }
            }
        }
    }

    static func documents(from bytes: [UInt8], split: DiskSplit, file: String,
                          properties: [String: String]) throws -> [Document] {
        switch split {
        case .none:
            return [Document(data: bytes, properties: properties)]
        case .jsonLines:
            var documents: [Document] = []
            var lineStart = 0
            var lineNumber = 1
            func addLine(_ end: Int) {
                var slice = bytes[lineStart..<end]
                if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
                if slice.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                    var lineProperties = properties
                    lineProperties["disk.line"] = String(lineNumber)
                    documents.append(Document(data: Array(slice), properties: lineProperties))
                }
            }
            for position in bytes.indices where bytes[position] == UInt8(ascii: "\n") {
                addLine(position)
                lineStart = position + 1
                lineNumber += 1
            }
            if lineStart < bytes.count { addLine(bytes.count) }
            return documents
        case .jsonArray:
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch {
                throw DiskError("\(file): not a JSON array: \(error)")
            }
            guard case .array(let elements) = value else {
                throw DiskError("\(file): split by json-array needs a JSON array at the top level")
            }
            return elements.map { Document(json: $0, properties: properties) }
        }
    }
}
