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
        var failures: [DocumentFailure] = []
        /// Append mode: each file's bytes and the documents they hold, written once per batch.
        var pending: [(path: String, bytes: [UInt8], documents: [Document])] = []
        var pendingIndex: [String: Int] = [:]
        var written: [Document] = []
        for var document in documents {
            do {
                let path = try target(for: document, context: context)
                document.properties["disk.fileName"] = String(path.dropFirst(directory.count + 1))
                if append {
                    let slot = pendingIndex[path] ?? pending.count
                    if slot == pending.count {
                        pendingIndex[path] = slot
                        pending.append((path, [], []))
                    }
                    pending[slot].bytes += document.data
                    pending[slot].bytes.append(UInt8(ascii: "\n"))
                    pending[slot].documents.append(document)
                } else {
                    try write(document.data, to: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
                    written.append(document)
                }
            } catch {
                failures.append(DocumentFailure(document: document, message: "\(error)"))
            }
        }
        for file in pending {
            do {
                try appendBytes(file.bytes, to: file.path)
                written += file.documents
            } catch {
                failures += file.documents.map { DocumentFailure(document: $0, message: "\(error)") }
            }
        }
        written.sort { $0.index < $1.index }
        return OperationOutcome(outputs: written, failures: failures)
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
