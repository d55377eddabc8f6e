/// A parsed JSON document. Numbers keep their literal text so INT64 and NUMERIC
/// values round-trip without losing precision; object members keep their order.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number as its JSON literal text, e.g. `"12"`, `"-0.5"`, `"1e3"`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An ordered JSON object.
public struct JSONObject: Sendable, Hashable {
    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]

    public init() {
        keys = []
        values = []
    }

    /// Builds an object from members in order; a repeated key keeps its first position and its last value.
    public init(_ members: [(String, JSONValue)]) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// Builds an object from parallel arrays the caller knows to hold unique keys.
    init(uniqueKeys: [String], values: [JSONValue]) {
        self.keys = uniqueKeys
        self.values = values
    }

    /// Builds an object from parallel arrays that may repeat keys (last value wins).
    init(parsedKeys: [String], values: [JSONValue]) {
        if JSONObject.hasDuplicates(parsedKeys) {
            self.init()
            for index in parsedKeys.indices { self[parsedKeys[index]] = values[index] }
        } else {
            self.init(uniqueKeys: parsedKeys, values: values)
        }
    }

    private static func hasDuplicates(_ keys: [String]) -> Bool {
        if keys.count < 2 { return false }
        if keys.count <= 16 {
            for i in 1..<keys.count {
                for j in 0..<i where keys[i] == keys[j] { return true }
            }
            return false
        }
        return Set(keys).count != keys.count
    }

    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// Reserves room for `capacity` members.
    public mutating func reserveCapacity(_ capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    /// Replaces the value of the member at `index` (an index into `keys`).
    mutating func setValue(_ value: JSONValue, atIndex index: Int) {
        values[index] = value
    }

    /// Takes the value at `index` out, leaving `null`, so the caller can mutate it without a copy.
    mutating func takeValue(atIndex index: Int) -> JSONValue {
        let value = values[index]
        values[index] = .null
        return value
    }

    /// Appends a member whose key the caller knows is absent.
    mutating func appendUnchecked(key: String, value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    /// The position of `key` in `keys`, if present.
    public func index(forKey key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// The members in order.
    public var members: [(key: String, value: JSONValue)] {
        Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
    }

    /// Reads or replaces a member; setting nil removes it. New keys are appended.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = keys.firstIndex(of: key) else { return nil }
            return values[index]
        }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }
}
