import Synchronization

/// Whether the task that started a transfer was cancelled; read by the progress callback.
final class CurlCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Marks the transfer as cancelled.
    func cancel() {
        flag.store(true, ordering: .relaxed)
    }

    /// Whether ``cancel()`` was called.
    var isCancelled: Bool {
        flag.load(ordering: .relaxed)
    }
}

/// Collects the response of one transfer; passed to libcurl callbacks as an unretained pointer.
final class CurlTransfer {
    let cancellation: CurlCancellation
    private(set) var headers: [HTTPHeader] = []
    private(set) var body: [UInt8] = []

    init(cancellation: CurlCancellation) {
        self.cancellation = cancellation
    }

    /// Appends body bytes.
    func appendBody(_ bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    /// Handles one raw header line, including the status line that starts each response.
    ///
    /// A new status line (after `100 Continue` or an informational response) discards the
    /// headers collected so far, so only the final response's headers remain.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\r") || bytes[end - 1] == UInt8(ascii: "\n") {
            end -= 1
        }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else {
            return
        }
        let name = line[..<colon].trimmingSpaces()
        let value = line[line.index(after: colon)...].trimmingSpaces()
        guard !name.isEmpty else {
            return
        }
        headers.append(HTTPHeader(name, value))
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var view = self
        while let first = view.first, first == " " || first == "\t" {
            view.removeFirst()
        }
        while let last = view.last, last == " " || last == "\t" {
            view.removeLast()
        }
        return String(view)
    }
}
