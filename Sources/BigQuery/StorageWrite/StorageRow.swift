import DocumentMapping
import ProcessEngine

/// One row on its way to the Storage Write API: a document's text, parsed only when the row
/// cannot be encoded straight from it (see ``StorageFastRowEncoder``), or a JSON value already
/// built (CDC adds members to it).
struct StorageRow: Sendable {
    private let data: [UInt8]
    private let index: Int
    private let parsed: JSONValue?
    private let built: Bool

    init(document: Document) {
        data = document.data
        index = document.index
        parsed = document.parsedJSON
        built = false
    }

    init(value: JSONValue) {
        data = []
        index = 0
        parsed = value
        built = true
    }

    /// `body` on the document's text in place (no retain of it), unless the row was built as a value.
    @inline(__always)
    func withText<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        built ? nil : data.withUnsafeBufferPointer(body)
    }

    /// The row as JSON (a document starting with `<` is read as XML, as FORMAT.md says), or an
    /// error naming the document.
    func json() throws(DocumentError) -> JSONValue {
        if let parsed { return parsed }
        return try Document.parse(data, index: index)
    }

    /// The row for a dead-letter record: its JSON, or its text as a string when it is not JSON.
    func original() -> JSONValue {
        if let value = try? json() { return value }
        return .string(String(decoding: data, as: UTF8.self))
    }
}
