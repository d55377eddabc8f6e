import DocumentMapping
import Synchronization

/// The name of a property whose value is a decimal number (a line or row number), shared by the
/// documents a splitter produces, which keep only their number (see
/// ``Document/init(data:properties:numbered:number:index:)``).
///
/// Every instance lives as long as the process: documents hold theirs without reference counting
/// (a retain when a document is made and a release when it is dropped, two atomic operations per
/// document otherwise). Make one per property name, as a `static let`.
public final class NumberedPropertyName: Sendable {
    /// The property's name.
    public let name: String

    public init(_ name: String) {
        self.name = name
        Self.everyName.withLock { $0.append(self) }
    }

    /// Every name made so far, never released.
    private static let everyName = Mutex<[NumberedPropertyName]>([])
}

/// A property whose value is a decimal number, kept as the number until the dictionary is needed.
struct NumberedProperty: Sendable {
    var name: NumberedPropertyName
    var number: Int
}

/// A property name and the text its values start with, shared by the documents of a batch so that
/// each document keeps only the number that ends its value (see ``Document/setProperty(_:number:)``).
public final class PrefixedPropertyName: Sendable {
    /// The property's name.
    public let name: String
    /// The text before the number, for every document.
    public let prefix: String

    public init(_ name: String, prefix: String) {
        self.name = name
        self.prefix = prefix
    }
}

/// A property whose value is a shared prefix followed by a decimal number.
struct PrefixedProperty: Sendable {
    var name: PrefixedPropertyName
    var number: Int
    var value: String { name.prefix + String(number) }
}

extension Document {
    /// Runs `body` on the content; when it returns true (it changed the content) the parsed form is dropped.
    mutating func transformData(_ body: (inout [UInt8]) -> Bool) -> Bool {
        guard body(&data) else { return false }
        dropParsedJSON()
        return true
    }

    /// Maps the content in place through a map's byte path (``FastJSONMap/transform(_:scratch:)``),
    /// marking it a known JSON object; false, the document unchanged, when the tree path must map it.
    @inline(__always)
    mutating func map(with fastPath: FastJSONMap, scratch: inout FastJSONMap.Scratch) -> Bool {
        guard transformData({ fastPath.transform(&$0, scratch: &scratch) }) else { return false }
        isKnownJSONObject = true
        return true
    }

    /// One property's value, without building the properties dictionary.
    public func property(_ name: String) -> String? {
        if let prefixedProperty, prefixedProperty.name.name == name { return prefixedProperty.value }
        if let numberedProperty, numberedProperty.name.name == name { return String(numberedProperty.number) }
        return storedProperties[name]
    }

    /// Moves the properties kept inline (numbered, prefixed) into the dictionary.
    mutating func materializeInlineProperties() {
        if let numberedProperty {
            dropInlineNumbered()
            storedProperties[numberedProperty.name.name] = String(numberedProperty.number)
        }
        if let prefixedProperty {
            dropInlinePrefixed()
            storedProperties[prefixedProperty.name.name] = prefixedProperty.value
        }
    }

    /// Sets property `name.name` to `name.prefix` followed by `number` in decimal, without a
    /// dictionary per document: documents given the same `name` object keep only their number.
    public mutating func setProperty(_ name: PrefixedPropertyName, number: Int) {
        // Lengths first: names of different lengths (the usual case) are told apart without a comparison.
        if let numberedHandle, numberedHandle._withUnsafeGuaranteedRef({
            $0.name.utf8.count == name.name.utf8.count && $0.name == name.name
        }) {
            dropInlineNumbered()
        }
        if let prefixedProperty, prefixedProperty.name !== name, prefixedProperty.name.name != name.name {
            // One inline slot: the property already there moves into the dictionary.
            dropInlinePrefixed()
            storedProperties[prefixedProperty.name.name] = prefixedProperty.value
        }
        if !setInlinePrefixed(name, number: number) {
            // A number outside the inline slot's range goes into the dictionary.
            dropInlinePrefixed()
            storedProperties[name.name] = name.prefix + String(number)
        }
    }

    /// Sets a property like `properties[name] = value`, but documents that had the same properties
    /// dictionary before share the resulting one (one dictionary per chunk, not per document).
    public mutating func setProperty(_ name: String, to value: String, sharing cache: inout PropertyAssignmentCache) {
        if let numberedHandle, cache.inlineNames.numbered(numberedHandle, is: name) { dropInlineNumbered() }
        if let prefixedProperty, cache.inlineNames.prefixed(prefixedProperty.name, is: name) { dropInlinePrefixed() }
        // The fields are compared in place: copying the cached entry out would retain all four.
        if cache.isSet, cache.name == name, cache.value == value, sameProperties(cache.before, storedProperties) {
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

extension Document {
    /// Sets `names[i]` to `values[i]` (up to the shorter array's end) on the documents at
    /// `positions`, as assigning them one after another to each would, in one pass: whether
    /// a document's inline property is one of `names` is decided once per inline name object, and
    /// documents that had the same properties dictionary as the one before share its result.
    public static func setProperties(_ names: [String], to values: [String], on documents: inout [Document],
                                     at positions: [Int]) {
        setProperties(names, to: values, on: &documents, each: positions)
    }

    /// ``setProperties(_:to:on:at:)`` on the documents of `range`.
    public static func setProperties(_ names: [String], to values: [String], on documents: inout [Document],
                                     in range: Range<Int>) {
        setProperties(names, to: values, on: &documents, each: range)
    }

    /// Specialized for each kind of positions (a public generic would iterate through witness tables).
    private static func setProperties<Positions: Sequence<Int>>(_ names: [String], to values: [String],
                                                                on documents: inout [Document], each positions: Positions) {
        var numbered: UnsafeMutableRawPointer?
        var numberedIsNamed = false
        var prefixed: PrefixedPropertyName?
        var prefixedIsNamed = false
        var before: [String: String] = [:]
        var after: [String: String] = [:]
        var hasAfter = false
        let count = min(names.count, values.count)
        documents.withUnsafeMutableBufferPointer { documents in
            for position in positions {
                if let handle = documents[position].numberedHandle {
                    if handle.toOpaque() != numbered {
                        numbered = handle.toOpaque()
                        numberedIsNamed = handle._withUnsafeGuaranteedRef { names[..<count].contains($0.name) }
                    }
                    if numberedIsNamed { documents[position].dropInlineNumbered() }
                }
                if let name = documents[position].prefixedName {
                    if name !== prefixed {
                        prefixed = name
                        prefixedIsNamed = names[..<count].contains(name.name)
                    }
                    if prefixedIsNamed { documents[position].dropInlinePrefixed() }
                }
                if hasAfter, sameProperties(before, documents[position].storedProperties) {
                    documents[position].storedProperties = after
                    continue
                }
                before = documents[position].storedProperties
                for index in 0..<count { documents[position].storedProperties[names[index]] = values[index] }
                after = documents[position].storedProperties
                hasAfter = true
            }
        }
    }
}

/// The last dictionary ``Document/setProperty(_:to:sharing:)`` produced, for the documents that follow.
public struct PropertyAssignmentCache: Sendable {
    var inlineNames = InlineNameMatch()
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
    private var inlineNames = InlineNameMatch()
    /// The dictionary of the last document looked up, and the answer for it (when `hasLast`).
    private var lastProperties: [String: String] = [:]
    private var lastIsSet = false
    private var hasLast = false
    /// False once two consecutive documents had different dictionaries: comparing them costs more than a lookup.
    private var sharing = true

    init(_ name: String) { self.name = name }

    /// True when `documents[position]` has the property (read in place, the document is not copied).
    mutating func isSet(in documents: [Document], at position: Int) -> Bool {
        if let numbered = documents[position].numberedHandle, inlineNames.numbered(numbered, is: name) { return true }
        if let prefixed = documents[position].prefixedName, inlineNames.prefixed(prefixed, is: name) { return true }
        if sharing, hasLast {
            if sameProperties(lastProperties, documents[position].storedProperties) { return lastIsSet }
            sharing = false
        }
        let isSet = documents[position].storedProperties[name] != nil
        if sharing {
            lastProperties = documents[position].storedProperties
            lastIsSet = isSet
            hasLast = true
        }
        return isSet
    }
}

/// Whether a document's inline property names (numbered, prefixed) are a given name, remembered
/// for the last pair compared: the documents of a chunk carry the same inline names, and two
/// strings of one origin compare equal at once, where telling different names apart calls into
/// the comparison of canonical equivalence every time.
struct InlineNameMatch: Sendable {
    /// The last numbered name compared, by identity (it is never freed, so its address is never
    /// another name's), the name it was compared with, and the answer.
    private var numberedIdentity: UInt = 0
    private var numberedName = ""
    private var numberedAnswer = false
    private var prefixed = Remembered<PrefixedPropertyName>()

    /// Whether the numbered property named `inline` is the property `name`.
    @inline(__always)
    mutating func numbered(_ inline: Unmanaged<NumberedPropertyName>, is name: String) -> Bool {
        let identity = UInt(bitPattern: inline.toOpaque())
        if numberedIdentity == identity, numberedName == name { return numberedAnswer }
        numberedAnswer = inline._withUnsafeGuaranteedRef { $0.name == name }
        numberedIdentity = identity
        numberedName = name
        return numberedAnswer
    }

    /// Whether the prefixed property named by `inline` is the property `name`.
    @inline(__always)
    mutating func prefixed(_ inline: PrefixedPropertyName, is name: String) -> Bool {
        prefixed.matches(inline, inline.name, is: name)
    }

    /// The last name object compared, the name it was compared with, and the answer. Separate
    /// fields, compared in place: binding them as one optional tuple copied it (a retain and a
    /// release of the name object and of the string for every document).
    private struct Remembered<Inline: AnyObject & Sendable>: Sendable {
        private var inline: Inline?
        private var name = ""
        private var answer = false

        @inline(__always)
        mutating func matches(_ object: Inline, _ objectName: @autoclosure () -> String, is name: String) -> Bool {
            if inline === object, self.name == name { return answer }
            answer = objectName() == name
            inline = object
            self.name = name
            return answer
        }
    }
}

/// Whether two property dictionaries are equal, answered at once when they are one storage (the
/// documents of a chunk share theirs): the same bits are the same dictionary; other bits are
/// compared as dictionaries.
@inline(__always)
func sameProperties(_ first: [String: String], _ second: [String: String]) -> Bool {
    if MemoryLayout<[String: String]>.size == MemoryLayout<UInt>.size {
        let identical = withUnsafeBytes(of: first) { a in
            withUnsafeBytes(of: second) { b in a.loadUnaligned(as: UInt.self) == b.loadUnaligned(as: UInt.self) }
        }
        if identical { return true }
    }
    return first == second
}
