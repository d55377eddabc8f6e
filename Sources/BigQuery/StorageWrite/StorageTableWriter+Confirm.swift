import Foundation

extension StorageTableWriter {
    /// What a one-row `AppendRows` request at an offset of a COMMITTED stream answered.
    enum OffsetProbe: Sendable {
        /// OK: the stream ended at that offset; the row is written there now.
        case appended
        /// ALREADY_EXISTS: the stream holds a row at that offset.
        case present
        /// OUT_OF_RANGE: the stream ends before that offset.
        case beyondEnd
        /// Anything else (a transient failure, a row error): says nothing of where the stream ends.
        case failed(StorageWriteError)
    }

    /// How many of `chunk`'s rows, from its first, are in the stream, after its request at
    /// `nextOffset` answered ALREADY_EXISTS (exactly-once).
    ///
    /// ALREADY_EXISTS says only that the row at the request's offset is in the stream: an earlier
    /// run may have written a shorter request there (its request limits differed, or it was killed
    /// between appends). Offsets are contiguous, so one-row requests at the chunk's own offsets find
    /// where the stream ends: the chunk's last row first, then a binary search. A row that lands
    /// at the end of the stream is the chunk's row for that offset, so it counts as written.
    /// `failure` is set when a request answered anything else; the rows counted are in the stream.
    func rowsInStream(_ chunk: [Int], encoded: EncodedRows) async -> (rows: Int, failure: StorageWriteError?) {
        let base = nextOffset
        let operation = "AppendRows to \(table)"
        return await Self.rowsInStream(count: chunk.count, operation: operation) { index in
            let result = await self.pipeline([[chunk[index]]], encoded: encoded, from: base + Int64(index)).first
            switch result {
            case .ok?:
                return .appended
            case .status(let error)?:
                switch StorageWriteStatus.classify(error) {
                case .alreadyWritten: return .present
                case .outOfRange: return .beyondEnd
                default: return .failed(error)
                }
            case .rowErrors(let errors)?:
                return .failed(StorageWriteError(code: 3, message: errors.values.first ?? "row error", operation: operation))
            case nil:
                return .failed(StorageWriteError(code: 14, message: "no response", operation: operation))
            }
        }
    }

    /// The search of ``rowsInStream(_:encoded:)`` over a chunk of `count` rows whose first is in the
    /// stream; `probe(i)` sends the chunk's row `i` alone at the chunk's offset plus `i`.
    static func rowsInStream(count: Int, operation: String,
                             probe: @Sendable (Int) async -> OffsetProbe) async -> (rows: Int, failure: StorageWriteError?) {
        guard count > 1 else { return (count, nil) }
        switch await probe(count - 1) {
        case .appended, .present: return (count, nil)
        case .failed(let failure): return (1, failure)
        case .beyondEnd: break
        }
        // The stream holds `held` of the rows, with lo <= held <= hi.
        var lo = 1
        var hi = count - 2
        while lo <= hi {
            let index = lo + (hi - lo) / 2
            switch await probe(index) {
            case .appended: return (index + 1, nil)
            case .present: lo = index + 1
            case .beyondEnd: hi = index - 1
            case .failed(let failure): return (lo, failure)
            }
        }
        // The answers contradict each other (the stream changed meanwhile): only what was seen counts.
        return (lo, StorageWriteError(code: 11, message: "the end of the stream moved while it was looked for",
                                      operation: operation))
    }
}
