import Foundation
import ProcessEngine
import Synchronization

/// `action="send"`: writes each document to a file named per document, inside the directory.
final class DiskSendOperation: ConnectorOperation {
    let directory: String
    let fileName: InterpolatedText
    let append: Bool
    /// Open append-mode files of this execution, by path; guarded by the mutex.
    private let openFiles = Mutex<[String: Int32]>([:])

    init(directory: String, fileName: InterpolatedText, append: Bool) throws {
        self.directory = directory
        self.fileName = fileName
        self.append = append
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var outputs: [Document] = []
        var failures: [DocumentFailure] = []
        var pending: [String: [UInt8]] = [:]
        var order: [String] = []
        for var document in documents {
            do {
                let path = try target(for: document, context: context)
                document.properties["disk.fileName"] = String(path.dropFirst(directory.count + 1))
                if append {
                    if pending[path] == nil { order.append(path) }
                    pending[path, default: []].append(contentsOf: document.data)
                    pending[path, default: []].append(UInt8(ascii: "\n"))
                } else {
                    try write(document.data, to: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
                }
                outputs.append(document)
            } catch {
                failures.append(DocumentFailure(document: document, message: "\(error)"))
            }
        }
        for path in order {
            guard let bytes = pending[path] else { continue }
            do {
                try appendBytes(bytes, to: path)
            } catch {
                let failed = Set(outputs.indices.filter { directory + "/" + (outputs[$0].properties["disk.fileName"] ?? "") == path })
                for index in failed { failures.append(DocumentFailure(document: outputs[index], message: "\(error)")) }
                outputs = outputs.enumerated().filter { !failed.contains($0.offset) }.map(\.element)
            }
        }
        return OperationOutcome(outputs: outputs, failures: failures)
    }

    func close() async {
        let descriptors = openFiles.withLock { files in
            defer { files.removeAll() }
            return Array(files.values)
        }
        for descriptor in descriptors { _ = Glibc.close(descriptor) }
    }

    /// The file for one document; refuses names that would leave the directory.
    private func target(for document: Document, context: OperationContext) throws -> String {
        let name = try context.interpolate(fileName, for: document)
        guard !name.isEmpty, !name.hasPrefix("/") else {
            throw DiskError("file name '\(name)' must be relative to the connection's directory")
        }
        let path = DiskConnector.resolve(name, in: directory)
        guard path.hasPrefix(directory + "/") else {
            throw DiskError("file name '\(name)' leaves the connection's directory \(directory)")
        }
        let parent = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        return path
    }

    private func appendBytes(_ bytes: [UInt8], to path: String) throws {
        let descriptor = try openFiles.withLock { files throws -> Int32 in
            if let descriptor = files[path] { return descriptor }
            let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw DiskError("cannot open \(path): \(String(cString: strerror(errno)))") }
            files[path] = descriptor
            return descriptor
        }
        try writeAll(bytes, to: descriptor, path: path)
    }

    private func write(_ bytes: [UInt8], to path: String, flags: Int32) throws {
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DiskError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { _ = Glibc.close(descriptor) }
        try writeAll(bytes, to: descriptor, path: path)
    }

    private func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw DiskError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}
