import DocumentMapping

/// A document moving through a process: its bytes, its dynamic document properties and,
/// once a shape has needed it, its parsed JSON form (so later shapes do not parse again).
public struct Document: Sendable {
    /// The document's content.
    public var data: [UInt8]
    /// The properties held in the dictionary; documents of one chunk usually share its storage.
    var storedProperties: [String: String]
    /// A numbered property (`disk.line`, `disk.row`) kept as a number until someone reads the
    /// whole dictionary, so a splitter does not build a dictionary per document.
    var numberedProperty: NumberedProperty?
    /// The document's position among the documents the start shape produced, zero-based.
    /// Shapes that turn one document into one document keep it, so tracking records line up.
    public var index: Int
    /// The parsed form and tryCatch origins, out of line: most documents have neither, and
    /// copying or dropping a document then costs no work for them.
    private var extras: DocumentExtras?

    private var cachedJSON: JSONValue? {
        get { extras?.json }
        set {
            if newValue == nil, extras == nil { return }
            extras = DocumentExtras(json: newValue, tryOrigins: extras?.tryOrigins ?? [:])
        }
    }

    /// tryCatch scope id → the document's position among that scope's inputs, so a failure
    /// downstream is traced back to the document that entered the scope.
    var tryOrigins: [Int: Int] {
        get { extras?.tryOrigins ?? [:] }
        set {
            if newValue.isEmpty, extras == nil { return }
            extras = DocumentExtras(json: extras?.json, tryOrigins: newValue)
        }
    }

    /// A document with this content and properties.
    public init(data: [UInt8], properties: [String: String] = [:], index: Int = 0) {
        self.data = data
        self.storedProperties = properties
        self.index = index
    }

    /// A document with this content and properties plus one property whose value is `number`
    /// in decimal (a line or row number); the dictionary is shared, the number stored inline.
    public init(data: [UInt8], properties: [String: String], numbered name: String, number: Int, index: Int = 0) {
        self.data = data
        self.storedProperties = properties
        self.numberedProperty = NumberedProperty(name: name, number: number)
        self.index = index
    }

    /// A document holding this JSON value; its bytes are the compact serialisation.
    public init(json: JSONValue, properties: [String: String] = [:], index: Int = 0) {
        self.data = json.serialized()
        self.storedProperties = properties
        self.index = index
        self.extras = DocumentExtras(json: json, tryOrigins: [:])
    }

    /// Dynamic document properties (string to string).
    public var properties: [String: String] {
        get {
            guard let numberedProperty else { return storedProperties }
            var all = storedProperties
            all[numberedProperty.name] = String(numberedProperty.number)
            return all
        }
        set {
            storedProperties = newValue
            numberedProperty = nil
        }
        _modify {
            materializeNumberedProperty()
            yield &storedProperties
        }
    }

    /// The document parsed as JSON (or, when it starts with `<`, XML read into the same tree),
    /// parsed at most once.
    public mutating func json() throws(DocumentError) -> JSONValue {
        if let cachedJSON { return cachedJSON }
        let value = try Self.parse(data, index: index)
        cachedJSON = value
        return value
    }

    /// Document text read as ``json()`` reads it (JSON, or XML when it starts with `<`), with the
    /// same errors naming document `index`; for callers that keep only a document's bytes.
    public static func parse(_ data: [UInt8], index: Int) throws(DocumentError) -> JSONValue {
        if UntypedDocument.isXML(data) {
            do { return try UntypedDocument.parseXML(data) } catch {
                throw DocumentError("document \(index) is \(error)")
            }
        }
        do { return try JSONParser.parse(data) } catch {
            throw DocumentError("document \(index) is not valid JSON: \(error)")
        }
    }

    /// The parsed form, when a shape already parsed or built it.
    public var parsedJSON: JSONValue? { cachedJSON }

    /// Replaces the content with a JSON value, keeping properties and index.
    public mutating func replace(with json: JSONValue) {
        data = json.serialized()
        cachedJSON = json
    }

    /// Replaces the content with bytes, keeping properties and index.
    public mutating func replace(with bytes: [UInt8]) {
        data = bytes
        cachedJSON = nil
    }

    /// Forgets the parsed form after the content changed in place.
    mutating func dropParsedJSON() { cachedJSON = nil }

    /// The content as UTF-8 text (invalid sequences repaired), for messages and previews.
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// Why one document could not go on: recorded against the document, never silently dropped.
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
