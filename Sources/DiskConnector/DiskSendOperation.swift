import Foundation
import ProcessEngine
import Synchronization

/// `action="send"`: writes each document to a file named per document, inside the directory.
///
/// With `<append>true</append>` every target file stays open for the execution and documents
/// are buffered: the buffer is written out whenever it holds 4 MB and at the end of each batch,
/// so a document handed on as written is in the file.
final class DiskSendOperation: InPlaceConnectorOperation {
    let directory: String
    let fileName: InterpolatedText
    let append: Bool
    /// Open append-mode files and resolved file names of this execution; guarded by the mutex
    /// (batches arrive one at a time, the lock only makes that safe to rely on).
    private let state = Mutex<State>(State())

    struct State {
        var files: [String: AppendFile] = [:]
        /// Resolved, checked paths by interpolated file name.
        var paths: [String: Target] = [:]
    }

    /// A checked file path and its name relative to the directory (the `disk.fileName` property).
    struct Target {
        var path: String
        var relative: String
    }

    /// The append-mode files one batch writes to, each in a slot, moved out of the state meanwhile.
    struct BatchFiles {
        var targets: [Target] = []
        var files: [AppendFile] = []
        /// A write error per slot: the documents of a failed file fail.
        var errors: [DiskError?] = []
        /// For the execution's log: files opened that ended in the middle of a line.
        var notes: [String] = []
        private var slots: [String: Int] = [:]

        /// Writes out a slot's buffer (emptying it even when the write fails), keeping the first error.
        mutating func flush(_ slot: Int) {
            do throws(DiskError) { try files[slot].flush() } catch { errors[slot] = errors[slot] ?? error }
        }

        /// The slot of `target`'s file, opening the file or taking it out of the state the first time.
        mutating func slot(for target: Target, state: inout State) throws(DiskError) -> Int {
            if let slot = slots[target.path] { return slot }
            var file: AppendFile
            if let open = state.files.removeValue(forKey: target.path) {
                file = open
            } else {
                file = try AppendFile(path: target.path)
                if file.endedMidLine {
                    notes.append("\(target.relative) did not end with a line break (an earlier run stopped in the middle "
                        + "of a write, or another program wrote it): the documents appended start on a new line, "
                        + "after the incomplete line, which is kept")
                }
            }
            do throws(DiskError) {
                try file.markBatchStart()
            } catch {
                state.files[target.path] = file
                throw error
            }
            targets.append(target)
            files.append(file)
            errors.append(nil)
            slots[target.path] = files.count - 1
            return files.count - 1
        }
    }

    init(directory: String, fileName: InterpolatedText, append: Bool) throws {
        self.directory = directory
        self.fileName = fileName
        self.append = append
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var batch = documents
        return try await executeInPlace(&batch, context: context)
    }

    /// Writes the batch; the documents written go on with `disk.fileName` set, changed in place
    /// (a copy of each only when the batch is shared). Never throws: a document that cannot be
    /// written fails alone.
    func executeInPlace(_ documents: inout [Document], context: OperationContext) async throws -> OperationOutcome {
        state.withLock { state in
            append ? appendAll(&documents, context: context, state: &state)
                : writeEach(&documents, context: context, state: &state)
        }
    }

    /// Append mode: each document is added to its file's buffer; the files of the batch are moved
    /// out of the state while it runs (no lookup per document), flushed at its end and put back.
    private func appendAll(_ documents: inout [Document], context: OperationContext, state: inout State) -> OperationOutcome {
        var failures: [DocumentFailure] = []
        var batch = BatchFiles()
        /// For each document, its file's slot in `batch`, or -1 when it failed.
        var slots: [Int] = []
        slots.reserveCapacity(documents.count)
        let constantName = fileName.isConstant
        var shared = PropertyAssignmentCache()
        // Through the buffer: each document is read and changed where it lies (no uniqueness check
        // of the array per document).
        documents.withUnsafeMutableBufferPointer { documents in
            // The last name rendered and its slot (the constant name's once it is known): locals of
            // the loop, compared and passed in place, so no document retains a string.
            var lastName = ""
            var lastSlot = -1
            var lastRelative = ""
            for position in documents.indices {
                do {
                    if !constantName || lastSlot < 0 {
                        let name = try context.interpolate(fileName, for: documents[position])
                        if lastSlot < 0 || lastName != name {
                            lastSlot = try batch.slot(for: try target(for: name, state: &state), state: &state)
                            lastName = name
                            lastRelative = batch.targets[lastSlot].relative
                        }
                    }
                    let slot = lastSlot
                    // The content moved out and back: reading it in place would retain it.
                    var data: [UInt8] = []
                    swap(&data, &documents[position].data)
                    data.withUnsafeBufferPointer { batch.files[slot].append(line: $0) }
                    swap(&data, &documents[position].data)
                    if batch.files[slot].isFull { batch.flush(slot) }
                    documents[position].setProperty("disk.fileName", to: lastRelative, sharing: &shared)
                    slots.append(slot)
                } catch {
                    failures.append(DocumentFailure(document: documents[position], error: error))
                    slots.append(-1)
                }
            }
        }
        for slot in batch.files.indices { batch.flush(slot) }
        // A file whose write failed is cut back to where this batch began: no partial line stays
        // for the next batch or run to append onto.
        for slot in batch.files.indices where batch.errors[slot] != nil {
            if let failure = batch.files[slot].rollBack(), let error = batch.errors[slot] {
                batch.errors[slot] = DiskError("\(error); \(failure)")
            }
        }
        for slot in batch.files.indices { state.files[batch.targets[slot].path] = batch.files[slot] }
        var written: [Document] = []
        swap(&written, &documents)
        if !failures.isEmpty || batch.errors.contains(where: { $0 != nil }) {
            var kept: [Document] = []
            for (document, slot) in zip(written, slots) where slot >= 0 {
                if let error = batch.errors[slot] {
                    failures.append(DocumentFailure(document: document, error: error))
                } else {
                    kept.append(document)
                }
            }
            written = kept
        }
        var outcome = OperationOutcome(outputs: written, failures: failures)
        outcome.logLines = batch.notes
        return outcome
    }

    /// One file per document, replaced.
    private func writeEach(_ documents: inout [Document], context: OperationContext, state: inout State) -> OperationOutcome {
        var failures: [DocumentFailure] = []
        var failed: [Bool] = []
        var shared = PropertyAssignmentCache()
        for position in documents.indices {
            do {
                let target = try target(for: try context.interpolate(fileName, for: documents[position]), state: &state)
                try write(documents[position].data, to: target.path)
                documents[position].setProperty("disk.fileName", to: target.relative, sharing: &shared)
            } catch {
                if failed.isEmpty { failed = Array(repeating: false, count: documents.count) }
                failed[position] = true
                failures.append(DocumentFailure(document: documents[position], error: error))
            }
        }
        var written: [Document] = []
        swap(&written, &documents)
        if !failed.isEmpty {
            written = zip(written, failed).compactMap { $1 ? nil : $0 }
        }
        return OperationOutcome(outputs: written, failures: failures)
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
    private func target(for name: String, state: inout State) throws(DiskError) -> Target {
        if let known = state.paths[name] { return known }
        guard !name.isEmpty, !name.hasPrefix("/") else {
            throw DiskError("file name '\(name)' must be relative to the connection's directory")
        }
        let path = DiskConnector.resolve(name, in: directory)
        guard path.hasPrefix(directory + "/") else {
            throw DiskError("file name '\(name)' leaves the connection's directory \(directory)")
        }
        guard DiskConnector.staysInside(path, directory: directory) else {
            throw DiskError("file name '\(name)' leads through a symbolic link out of the connection's directory \(directory)")
        }
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw DiskError("cannot create directory \(parent): \(error.localizedDescription)")
        }
        let target = Target(path: path, relative: String(path.dropFirst(directory.count + 1)))
        if state.paths.count < 10_000 { state.paths[name] = target }
        return target
    }

    /// Replaces the file without ever tearing it: the bytes go to a temporary file next to it,
    /// which is flushed to disk and renamed over the target; on any failure the temporary file is
    /// removed and the old file is untouched. A symbolic link in the target's place is refused.
    private func write(_ bytes: [UInt8], to path: String) throws(DiskError) {
        var existing = stat()
        let exists = lstat(path, &existing) == 0
        if exists, (existing.st_mode & S_IFMT) == S_IFLNK {
            throw DiskError("cannot replace \(path): it is a symbolic link (it is not written through)")
        }
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var temporary = ""
        var descriptor: Int32 = -1
        for _ in 0..<8 where descriptor < 0 {
            temporary = parent + "/.\(name).\(UInt32.random(in: .min ... .max)).conveyor-tmp"
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if descriptor < 0, errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw DiskError("cannot write \(path): cannot create a temporary file: \(Self.reason())") }
        var renamed = false
        defer {
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            if !renamed { _ = unlink(temporary) }
        }
        if exists, (existing.st_mode & S_IFMT) == S_IFREG { _ = fchmod(descriptor, existing.st_mode & 0o7777) }
        try Self.writeAll(bytes, to: descriptor, path: path)
        guard fsync(descriptor) == 0 else { throw DiskError("cannot write \(path): \(Self.reason())") }
        let closed = Glibc.close(descriptor)
        descriptor = -1
        guard closed == 0 else { throw DiskError("cannot write \(path): \(Self.reason())") }
        guard rename(temporary, path) == 0 else { throw DiskError("cannot replace \(path): \(Self.reason())") }
        renamed = true
    }

    /// The current `errno` as text.
    static func reason() -> String { String(cString: strerror(errno)) }

    /// Writes every byte, retrying short writes and interruptions.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(DiskError) {
        var failure: DiskError?
        bytes.withUnsafeBytes { buffer in
            do throws(DiskError) { try writeAll(buffer, to: descriptor, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String) throws(DiskError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw DiskError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}
