import Foundation
import ProcessEngine
import Synchronization

/// `action="send"`: writes each document to a file named per document, inside the directory.
///
/// With `<append>true</append>` every target file stays open for the execution and documents
/// are buffered: the buffer is written out whenever it holds 4 MB and at the end of each batch,
/// so a document handed on as written is in the file.
final class DiskSendOperation: ConnectorOperation {
    let directory: String
    let fileName: InterpolatedText
    let append: Bool
    /// Open append-mode files and resolved file names of this execution; guarded by the mutex
    /// (batches arrive one at a time, the lock only makes that safe to rely on).
    private let state = Mutex<State>(State())

    struct State {
        var files: [String: AppendFile] = [:]
        /// Resolved, checked paths by interpolated file name.
        var paths: [String: String] = [:]
    }

    init(directory: String, fileName: InterpolatedText, append: Bool) throws {
        self.directory = directory
        self.fileName = fileName
        self.append = append
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        state.withLock { state in
            var failures: [DocumentFailure] = []
            var written: [Document] = []
            written.reserveCapacity(documents.count)
            /// Append mode: the target path of each written document, and the paths whose write failed.
            var writtenPaths: [String] = []
            var failedPaths: [String: DiskError] = [:]
            for var document in documents {
                do {
                    let name = try context.interpolate(fileName, for: document)
                    let path = try target(for: name, state: &state)
                    document.properties["disk.fileName"] = String(path.dropFirst(directory.count + 1))
                    if append {
                        if state.files[path] == nil { state.files[path] = try AppendFile(path: path) }
                        state.files[path]?.append(line: document.data)
                        if state.files[path]?.isFull == true {
                            do throws(DiskError) { try state.files[path]?.flush() } catch { failedPaths[path] = error }
                        }
                        writtenPaths.append(path)
                    } else {
                        try write(document.data, to: path)
                    }
                    written.append(document)
                } catch {
                    failures.append(DocumentFailure(document: document, message: "\(error)"))
                }
            }
            if append {
                for path in Set(writtenPaths) {
                    do throws(DiskError) { try state.files[path]?.flush() } catch { failedPaths[path] = error }
                }
                if !failedPaths.isEmpty {
                    var kept: [Document] = []
                    for (document, path) in zip(written, writtenPaths) {
                        if let error = failedPaths[path] {
                            failures.append(DocumentFailure(document: document, message: "\(error)"))
                        } else {
                            kept.append(document)
                        }
                    }
                    written = kept
                }
            }
            return OperationOutcome(outputs: written, failures: failures)
        }
    }

    func close() async {
        let files = state.withLock { state in
            defer { state.files.removeAll() }
            return Array(state.files.values)
        }
        for var file in files {
            // Every batch ends with a flush; this only writes out anything left by a cancelled batch.
            try? file.flush()
            _ = Glibc.close(file.descriptor)
        }
    }

    /// The file for one interpolated name; refuses names that would leave the directory.
    private func target(for name: String, state: inout State) throws(DiskError) -> String {
        if let known = state.paths[name] { return known }
        guard !name.isEmpty, !name.hasPrefix("/") else {
            throw DiskError("file name '\(name)' must be relative to the connection's directory")
        }
        let path = DiskConnector.resolve(name, in: directory)
        guard path.hasPrefix(directory + "/") else {
            throw DiskError("file name '\(name)' leaves the connection's directory \(directory)")
        }
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw DiskError("cannot create directory \(parent): \(error.localizedDescription)")
        }
        if state.paths.count < 10_000 { state.paths[name] = path }
        return path
    }

    private func write(_ bytes: [UInt8], to path: String) throws(DiskError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DiskError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { _ = Glibc.close(descriptor) }
        try Self.writeAll(bytes, to: descriptor, path: path)
    }

    /// Writes every byte, retrying short writes and interruptions.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(DiskError) {
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
