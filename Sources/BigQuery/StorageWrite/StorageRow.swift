import DocumentMapping
import ProcessEngine

/// One row on its way to the Storage Write API off the straight path: a document's text, parsed
/// only when needed, or a JSON value already built (CDC adds members to it). ``StorageRows`` makes
/// one when the row cannot be encoded straight from its document (see ``StorageFastRowEncoder``),
/// for schema evolution, MERGE and dead letters.
struct StorageRow: Sendable {
    /// The document's text (empty when the row was built as a value).
    let text: [UInt8]
    private let index: Int
    private let parsed: JSONValue?

    init(document: Document) {
        text = document.data
        index = document.index
        parsed = document.parsedJSON
    }

    init(value: JSONValue) {
        text = []
        index = 0
        parsed = value
    }

    /// The row as JSON (a document starting with `<` is read as XML, as FORMAT.md says), or an
    /// error naming the document.
    func json() throws(DocumentError) -> JSONValue {
        if let parsed { return parsed }
        return try Document.parse(text, index: index)
    }

    /// The row for a dead-letter record: its JSON, or its text as a string when it is not JSON.
    func original() -> JSONValue {
        if let value = try? json() { return value }
        return .string(String(decoding: text, as: UTF8.self))
    }
}

/// The rows of one destination's group: each is a document of the batch, by position, or a value
/// built for the row (CDC adds members to it).
///
/// It holds no document. Whoever reads a row passes the batch's documents, so that when the
/// operation sets properties on them (``StorageWriteOperation``'s `sort`) the batch's array is
/// held by nothing else and is changed in place, not copied. Rows are not copied out of their
/// documents either: a row's text is retained for nothing on the straight path, where reference
/// counting is an atomic operation on memory another thread wrote.
struct StorageRows: Sendable {
    private enum Member: Sendable {
        case document(Int)
        case value(JSONValue)
    }

    /// Nil: the documents `0..<count` of the batch, in order.
    private var members: [Member]?
    private(set) var count: Int

    /// No rows, to append to.
    init() {
        members = []
        count = 0
    }

    /// Every document of a batch of `count`, in order.
    init(allOf count: Int) {
        members = nil
        self.count = count
    }

    var indices: Range<Int> { 0..<count }

    mutating func append(document position: Int) {
        append(.document(position))
    }

    mutating func append(value: JSONValue) {
        append(.value(value))
    }

    private mutating func append(_ member: Member) {
        // A whole batch that gets one more row lists its documents first.
        if members == nil { members = (0..<count).map { .document($0) } }
        members?.append(member)
        count += 1
    }

    /// The row at `index`, its text taken from `documents` (the batch the rows were made from).
    func row(_ index: Int, of documents: [Document]) -> StorageRow {
        switch member(index) {
        case .document(let position): StorageRow(document: documents[position])
        case .value(let value): StorageRow(value: value)
        }
    }

    /// The rows from `start` on.
    func suffix(from start: Int) -> StorageRows {
        var rest = StorageRows()
        for index in start..<count {
            switch member(index) {
            case .document(let position): rest.append(document: position)
            case .value(let value): rest.append(value: value)
            }
        }
        return rest
    }

    /// Every row, its text taken from `documents`.
    func rows(of documents: [Document]) -> [StorageRow] {
        indices.map { row($0, of: documents) }
    }

    /// The position in the batch of the document behind the row at `index`; nil for a row built as a value.
    func documentPosition(_ index: Int) -> Int? {
        if case .document(let position) = member(index) { return position }
        return nil
    }

    private func member(_ index: Int) -> Member {
        members?[index] ?? .document(index)
    }
}
