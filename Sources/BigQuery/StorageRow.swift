import DocumentMapping
import ProcessEngine

/// One row on its way to the Storage Write API: the document itself, parsed only when the row
/// cannot be encoded straight from its text (see ``StorageFastRowEncoder``), or a JSON value
/// already built (CDC adds members to it).
struct StorageRow: Sendable {
    private var document: Document?
    private var value: JSONValue?

    init(document: Document) {
        self.document = document
    }

    init(value: JSONValue) {
        self.value = value
    }

    /// The document's text when the row has not been parsed yet.
    var text: [UInt8]? { value == nil ? document?.data : nil }

    /// The row as JSON (an XML document is read as FORMAT.md says), or an error naming the document.
    func json() throws(DocumentError) -> JSONValue {
        if let value { return value }
        guard var document else { return .null }
        return try document.json()
    }

    /// The row for a dead-letter record: its JSON, or its text as a string when it is not JSON.
    func original() -> JSONValue {
        if let value = try? json() { return value }
        return .string(String(decoding: document?.data ?? [], as: UTF8.self))
    }
}
