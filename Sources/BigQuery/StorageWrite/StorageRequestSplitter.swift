/// Cuts encoded rows into `AppendRows` requests within a row count and a byte budget.
enum StorageRequestSplitter {
    /// BigQuery refuses `AppendRows` requests over 10 MB; requests stay under 9 MB.
    static let maxRequestBytes = 9 * 1024 * 1024

    /// Bytes a row adds to `ProtoRows.serialized_rows`: tag, length and the row itself.
    static func cost(ofRow size: Int) -> Int {
        var length = 1
        var value = size
        while value >= 0x80 { value >>= 7; length += 1 }
        return 1 + length + size
    }

    /// Consecutive ranges of `sizes` (row byte sizes), each within `maxRows` rows and, after
    /// `overhead` bytes of request header, `maxBytes`; a row too large on its own gets a range of its own.
    static func split(sizes: [Int], maxRows: Int, maxBytes: Int = maxRequestBytes, overhead: Int = 0) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var bytes = overhead
        for (index, size) in sizes.enumerated() {
            let cost = cost(ofRow: size)
            if index > start, index - start >= maxRows || bytes + cost > maxBytes {
                ranges.append(start..<index)
                start = index
                bytes = overhead
            }
            bytes += cost
        }
        if start < sizes.count { ranges.append(start..<sizes.count) }
        return ranges
    }
}
