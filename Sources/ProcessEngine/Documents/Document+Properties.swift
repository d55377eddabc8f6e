/// A property whose value is a decimal number, kept as the number until the dictionary is needed.
struct NumberedProperty: Sendable {
    var name: String
    var number: Int
}

extension Document {
    /// Runs `body` on the content; when it returns true (it changed the content) the parsed form is dropped.
    mutating func transformData(_ body: (inout [UInt8]) -> Bool) -> Bool {
        guard body(&data) else { return false }
        dropParsedJSON()
        return true
    }

    /// One property's value, without building the properties dictionary.
    public func property(_ name: String) -> String? {
        if let numberedProperty, numberedProperty.name == name { return String(numberedProperty.number) }
        return storedProperties[name]
    }

    /// Moves a pending numbered property into the dictionary.
    mutating func materializeNumberedProperty() {
        guard let numberedProperty else { return }
        self.numberedProperty = nil
        storedProperties[numberedProperty.name] = String(numberedProperty.number)
    }

    /// Sets a property like `properties[name] = value`, but documents that had the same properties
    /// dictionary before share the resulting one (one dictionary per chunk, not per document).
    public mutating func setProperty(_ name: String, to value: String, sharing cache: inout PropertyAssignmentCache) {
        if let numberedProperty, numberedProperty.name == name { self.numberedProperty = nil }
        // The fields are compared in place: copying the cached entry out would retain all four.
        if cache.isSet, cache.name == name, cache.value == value, cache.before == storedProperties {
            storedProperties = cache.after
            return
        }
        cache.before = storedProperties
        storedProperties[name] = value
        cache.name = name
        cache.value = value
        cache.after = storedProperties
        cache.isSet = true
    }
}

/// The last dictionary ``Document/setProperty(_:to:sharing:)`` produced, for the documents that follow.
public struct PropertyAssignmentCache: Sendable {
    var isSet = false
    var before: [String: String] = [:]
    var name = ""
    var value = ""
    var after: [String: String] = [:]

    /// An empty cache; keep one per loop over documents.
    public init() {}
}

/// Whether documents have one property, looking it up once per distinct properties dictionary
/// while consecutive documents share one (as documents of a chunk usually do).
struct PropertyLookup {
    let name: String
    private var last: (properties: [String: String], isSet: Bool)?
    /// False once two consecutive documents had different dictionaries: comparing them costs more than a lookup.
    private var sharing = true

    init(_ name: String) { self.name = name }

    /// True when `documents[position]` has the property (read in place, the document is not copied).
    mutating func isSet(in documents: [Document], at position: Int) -> Bool {
        if let numbered = documents[position].numberedProperty, numbered.name == name { return true }
        if sharing, let last {
            if last.properties == documents[position].storedProperties { return last.isSet }
            sharing = false
        }
        let isSet = documents[position].storedProperties[name] != nil
        if sharing { last = (documents[position].storedProperties, isSet) }
        return isSet
    }
}
