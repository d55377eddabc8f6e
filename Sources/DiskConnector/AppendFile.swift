import Foundation

/// One file written in append mode during an execution: an open descriptor and a buffer of
/// bytes not yet written. Owned by ``DiskSendOperation`` under its lock.
struct AppendFile {
    let path: String
    let descriptor: Int32
    private(set) var pending: [UInt8] = []
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
        pending.reserveCapacity(AppendFile.flushThreshold + (1 << 16))
        if endsMidLine() {
            endedMidLine = true
            pending.append(0x0A)
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
        pending.append(contentsOf: bytes)
        if bytes.last != 0x0A { pending.append(0x0A) }
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
        pending.removeAll(keepingCapacity: true)
        guard ftruncate(descriptor, batchStart) == 0 else {
            return "could not cut \(path) back to \(batchStart) bytes: \(DiskSendOperation.reason())"
        }
        // Cut back to an incomplete last line: the next batch still starts on a new line.
        if endsMidLine() { pending.append(0x0A) }
        return nil
    }

    /// Writes the buffer out (keeping its capacity).
    mutating func flush() throws(DiskError) {
        defer { pending.removeAll(keepingCapacity: true) }
        try DiskSendOperation.writeAll(pending, to: descriptor, path: path)
    }
}
