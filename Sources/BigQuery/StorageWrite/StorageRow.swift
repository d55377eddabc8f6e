import DocumentMapping
import ProcessEngine

/// One row on its way to the Storage Write API: a document's text, parsed only when the row
/// cannot be encoded straight from it (see ``StorageFastRowEncoder``), or a JSON value already
/// built (CDC adds members to it).
struct StorageRow: Sendable {
    /// The document's text (empty when the row was built as a value). Read it as
    /// `rows[position].text`: a method of the row called on an element copies the whole row first
    /// (the text and the parsed value retained and released).
    let text: [UInt8]
    private let index: Int
    private let parsed: JSONValue?
    /// The row was built as a value: it has no text.
    let built: Bool

    init(document: Document) {
        text = document.data
        index = document.index
        parsed = document.parsedJSON
        built = false
    }

    init(value: JSONValue) {
        text = []
        index = 0
        parsed = value
        built = true
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
