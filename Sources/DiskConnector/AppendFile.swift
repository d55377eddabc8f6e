import Foundation

/// One file written in append mode during an execution: an open descriptor and a buffer of
/// bytes not yet written. Owned by ``DiskSendOperation`` under its lock.
struct AppendFile {
    let path: String
    let descriptor: Int32
    private var pending = PendingBytes()
    /// The file's size when the current batch began.
    private(set) var batchStart: off_t = 0

    /// The file did not end with a line break when it was opened (a run killed in the middle of a
    /// write, or another program, left an incomplete last line): the first document starts on a
    /// new line and the incomplete one is kept as it is.
    private(set) var endedMidLine = false

    /// Opens (creating) `path` for appending; a symbolic link there is refused (`O_NOFOLLOW`).
    init(path: String) throws(DiskError) {
        // Read access too, to look at the last byte; a file that may only be written is still appended to.
        var descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o644)
        if descriptor < 0, errno == EACCES {
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o644)
        }
        guard descriptor >= 0 else { throw DiskError("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.descriptor = descriptor
        if endsMidLine() {
            endedMidLine = true
            pending.appendLineBreak()
        }
    }

    /// Whether the file's last byte is there and not a line break (false when it cannot be read).
    private func endsMidLine() -> Bool {
        let size = lseek(descriptor, 0, SEEK_END)
        var last: UInt8 = 0x0A
        return size > 0 && pread(descriptor, &last, 1, size - 1) == 1 && last != 0x0A
    }

    /// Bytes buffered before they are written out.
    static let flushThreshold = 4 << 20

    /// Buffers a document followed by a newline (none when the document already ends with one,
    /// as CSV and XML documents do).
    mutating func append(line bytes: UnsafeBufferPointer<UInt8>) {
        pending.append(line: bytes)
    }

    /// True when the buffer should be written out.
    var isFull: Bool { pending.count >= AppendFile.flushThreshold }

    /// Notes the file's size as the point a failed batch is cut back to.
    mutating func markBatchStart() throws(DiskError) {
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw DiskError("cannot read the size of \(path): \(DiskSendOperation.reason())") }
        batchStart = end
    }

    /// Cuts the file back to its size when the batch began and drops the buffer; returns why
    /// that failed, if it did.
    mutating func rollBack() -> String? {
        pending.removeAll()
        guard ftruncate(descriptor, batchStart) == 0 else {
            return "could not cut \(path) back to \(batchStart) bytes: \(DiskSendOperation.reason())"
        }
        // Cut back to an incomplete last line: the next batch still starts on a new line.
        if endsMidLine() { pending.appendLineBreak() }
        return nil
    }

    /// Writes the buffer out (keeping its capacity).
    mutating func flush() throws(DiskError) {
        defer { pending.removeAll() }
        try pending.write(to: descriptor, path: path)
    }
}

/// The bytes of an append-mode file not yet written, filled by plain copies into a buffer that
/// grows by doubling (so a file written little holds little memory) and is kept between flushes.
struct PendingBytes {
    private var storage: [UInt8] = []
    /// How many bytes of `storage` are waiting.
    private(set) var count = 0

    /// Appends `line`, and a line break unless it ends with one.
    mutating func append(line: UnsafeBufferPointer<UInt8>) {
        let needed = count + line.count + 1
        if needed > storage.count {
            let size = max(needed, storage.count * 2, 1 << 16)
            storage.append(contentsOf: repeatElement(0, count: size - storage.count))
        }
        let start = count
        count = storage.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return start }
            var end = start
            if let source = line.baseAddress, line.count > 0 {
                (base + start).update(from: source, count: line.count)
                end += line.count
            }
            if line.last != 0x0A {
                base[end] = 0x0A
                end += 1
            }
            return end
        }
    }

    mutating func appendLineBreak() {
        append(line: UnsafeBufferPointer(start: nil, count: 0))
    }

    mutating func removeAll() { count = 0 }

    /// Writes the waiting bytes to `descriptor`.
    func write(to descriptor: Int32, path: String) throws(DiskError) {
        var failure: DiskError?
        storage.withUnsafeBytes { bytes in
            do throws(DiskError) {
                try DiskSendOperation.writeAll(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), to: descriptor, path: path)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}
