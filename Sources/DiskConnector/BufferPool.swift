import ProcessEngine

/// Empty byte buffers kept for reuse, so reading a file does not allocate (and the process free)
/// one buffer per document. Bounded: at most ``maximumBuffers`` buffers of at most
/// ``maximumCapacity`` bytes each.
struct BufferPool {
    private var buffers: [[UInt8]] = []

    /// The most buffers kept.
    static let maximumBuffers = 16_384
    /// Larger buffers are freed rather than kept.
    static let maximumCapacity = 1_024

    /// An empty buffer, reused when one is kept.
    mutating func take() -> [UInt8] { buffers.popLast() ?? [] }

    /// Keeps the content buffers of `documents` (emptied) and empties `documents`.
    ///
    /// A buffer still shared with a document held elsewhere is left to it: emptying the taken copy
    /// allocates a fresh buffer of the same capacity and never touches the shared one.
    mutating func recycle(_ documents: inout [Document]) {
        if buffers.capacity < Self.maximumBuffers { buffers.reserveCapacity(Self.maximumBuffers) }
        // Through the buffer: no uniqueness check of the array per document.
        documents.withUnsafeMutableBufferPointer { documents in
            for position in documents.indices where buffers.count < Self.maximumBuffers {
                var data: [UInt8] = []
                swap(&data, &documents[position].data)
                guard data.capacity <= Self.maximumCapacity else { continue }
                data.removeAll(keepingCapacity: true)
                buffers.append(consume data)
            }
        }
        documents.removeAll(keepingCapacity: true)
    }
}
