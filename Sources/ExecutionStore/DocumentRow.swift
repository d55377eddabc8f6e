/// A stored document row while it is read: its shape's rank (the id of the shape's first
/// row), its row id and its record, whose `count` may stand for a run of documents.
struct DocumentRow {
    var rank: Int64
    var rowID: Int64
    var record: DocumentRecord

    /// One record per document, in the order of the rows (shape rank, direction, index, row id).
    ///
    /// Rows come sorted by their first index; a run is expanded in place, and the result is
    /// sorted again only when a run overlaps a later row (a document passing a shape twice).
    static func expanded(_ rows: [DocumentRow]) -> [DocumentRecord] {
        guard rows.contains(where: { $0.record.count > 1 }) else {
            return rows.map { row in
                var record = row.record
                record.count = 1
                return record
            }
        }
        var documents: [DocumentRow] = []
        documents.reserveCapacity(rows.reduce(0) { $0 + $1.record.count })
        var sorted = true
        for row in rows {
            var single = row
            single.record.count = 1
            for offset in 0..<row.record.count {
                single.record.index = row.record.index + offset
                if sorted, let last = documents.last, !last.precedes(single) { sorted = false }
                documents.append(single)
            }
        }
        if !sorted { documents.sort { $0.precedes($1) } }
        return documents.map(\.record)
    }

    /// The read order: shape rank, then direction, then document index, then row id.
    func precedes(_ other: DocumentRow) -> Bool {
        if rank != other.rank { return rank < other.rank }
        if record.direction != other.record.direction { return record.direction < other.record.direction }
        if record.index != other.record.index { return record.index < other.record.index }
        return rowID < other.rowID
    }
}
