import DocumentMapping

/// A document moving through a process: its bytes, its dynamic document properties and,
/// once a shape has needed it, its parsed JSON form (so later shapes do not parse again).
public struct Document: Sendable {
    /// The document's content.
    public var data: [UInt8] {
        didSet { isKnownJSONObject = false }
    }
    /// The content is known to be one JSON object with valid UTF-8, no byte order mark and no
    /// surrounding whitespace: the map's fast path wrote it (its scanner checked every string it
    /// copied). Any change to the content clears it, so a shape may skip checking such a document.
    public internal(set) var isKnownJSONObject: Bool {
        get { packed & Self.knownFlag != 0 }
        set { packed = newValue ? packed | Self.knownFlag : packed & ~Self.knownFlag }
    }
    /// The properties held in the dictionary; documents of one chunk usually share its storage.
    var storedProperties: [String: String]
    /// The name of a numbered property (`disk.line`, `disk.row`) kept as a number until someone
    /// reads the whole dictionary, so a splitter does not build a dictionary per document; its
    /// number is in ``packed``. Held without reference counting: every `NumberedPropertyName`
    /// lives as long as the process.
    private(set) var numberedHandle: Unmanaged<NumberedPropertyName>?
    /// The name and shared prefix of a property whose value is that prefix followed by a number (a
    /// generated insert id: the execution id, `-`, the index), kept inline like the numbered one.
    private(set) var prefixedName: PrefixedPropertyName?
    /// The numbered property's number (bits 0–31), the prefixed property's number (bits 32–62) and
    /// ``isKnownJSONObject`` (bit 63), in one word. A document is seven machine words: the
    /// compiler passes a larger struct by address and copies it (a retain and a release of every
    /// field) on each initialization and move, a cost per document. Numbers outside these ranges
    /// go into the dictionary instead.
    private var packed: UInt64 = 0
    /// The document's position among the documents the start shape produced, zero-based.
    /// Shapes that turn one document into one document keep it, so tracking records line up.
    public var index: Int
    /// The parsed form and tryCatch origins, out of line: most documents have neither, and
    /// copying or dropping a document then costs no work for them.
    private var extras: DocumentExtras?

    private static let knownFlag: UInt64 = 1 << 63
    private static let numberMask: UInt64 = 0xFFFF_FFFF
    private static let prefixedShift: UInt64 = 32
    private static let prefixedMask: UInt64 = 0x7FFF_FFFF << 32

    /// The name of the numbered property kept inline, if any.
    var numberedName: NumberedPropertyName? { numberedHandle?.takeUnretainedValue() }

    /// The numbered property kept inline, if any.
    var numberedProperty: NumberedProperty? {
        numberedName.map { NumberedProperty(name: $0, number: Int(packed & Self.numberMask)) }
    }

    /// The prefixed property kept inline, if any.
    var prefixedProperty: PrefixedProperty? {
        prefixedName.map {
            PrefixedProperty(name: $0, number: Int((packed & Self.prefixedMask) >> Self.prefixedShift))
        }
    }

    /// Keeps `name` = `number` inline when the number fits its bits; false leaves the document unchanged.
    mutating func setInlineNumbered(_ name: __shared NumberedPropertyName, number: Int) -> Bool {
        guard let bits = UInt32(exactly: number) else { return false }
        numberedHandle = Unmanaged.passUnretained(name)
        packed = packed & ~Self.numberMask | UInt64(bits)
        return true
    }

    /// Keeps the prefixed property `name` with `number` inline when the number fits its bits;
    /// false leaves the document unchanged.
    mutating func setInlinePrefixed(_ name: PrefixedPropertyName, number: Int) -> Bool {
        guard number >= 0, number <= 0x7FFF_FFFF else { return false }
        prefixedName = name
        packed = packed & ~Self.prefixedMask | UInt64(number) << Self.prefixedShift
        return true
    }

    /// Drops the numbered property kept inline (its value is not moved anywhere).
    mutating func dropInlineNumbered() { numberedHandle = nil }

    /// Drops the prefixed property kept inline (its value is not moved anywhere).
    mutating func dropInlinePrefixed() { prefixedName = nil }

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
    public init(data: [UInt8], properties: [String: String], numbered name: __shared NumberedPropertyName, number: Int,
                index: Int = 0) {
        self.data = data
        self.storedProperties = properties
        self.index = index
        if !setInlineNumbered(name, number: number) { storedProperties[name.name] = String(number) }
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
            if numberedHandle == nil, prefixedName == nil { return storedProperties }
            var all = storedProperties
            if let numberedProperty { all[numberedProperty.name.name] = String(numberedProperty.number) }
            if let prefixedProperty { all[prefixedProperty.name.name] = prefixedProperty.value }
            return all
        }
        set {
            storedProperties = newValue
            numberedHandle = nil
            prefixedName = nil
        }
        _modify {
            materializeInlineProperties()
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
                throw DocumentError("document \(index) is \(error)", code: .content)
            }
        }
        do { return try JSONParser.parse(data) } catch {
            throw DocumentError("document \(index) is not valid JSON: \(error)", code: .content)
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
/// Its ``code`` tells kinds of failure apart for users (it is stored and shown with the
/// document's error) and for code; the message explains this one.
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ message: String, code: Code) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// What kind of failure stopped a document. The raw values are stable: they are stored with
    /// the document's tracking record and shown as `errorCode` (see docs/format.md).
    public enum Code: String, Sendable, CaseIterable {
        /// The document's content is not what the shape needs (not JSON, not an object, no rows, too large).
        case content
        /// A profile path is not valid, or has no value in the document.
        case path
        /// A document property, process property or environment variable the shape reads is not set.
        case property
        /// A value does not fit where it goes: a column's type, a number or date to compare, an identifier.
        case value
        /// A decision or route could not decide (values that cannot be compared, no matching route).
        case decision
        /// A map failed on the document.
        case mapping
        /// A shape's or operation's settings do not allow what the document needs (a template, a pattern,
        /// a missing setting, a disabled feature).
        case setting
        /// The process refers to something that does not exist or cannot work (a shape, map, connection,
        /// operation or connector; an endless loop).
        case process
        /// A process called by a processCall shape failed.
        case processCall
        /// An exception shape stopped the document with its message.
        case exception
        /// The destination's schema cannot take the document (no schema, a type it cannot write).
        case schema
        /// The far end refused the document (row errors, a table that must be empty is not).
        case rejected
        /// The far end could not be reached or gave no usable answer (transport failure, outage).
        case unavailable
        /// The connector failed with an error of its own (an API or transport error it did not classify).
        case connector
        /// The document was kept in a dead-letter queue instead of being delivered.
        case deadLettered
    }

    /// The code of any error: a ``DocumentError``'s own, else `fallback`.
    public static func code(of error: any Error, else fallback: Code) -> Code {
        (error as? DocumentError)?.code ?? fallback
    }
}
