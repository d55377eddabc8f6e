import DocumentMapping
import ProcessEngine

/// `<schemaUpdate>add-columns</schemaUpdate>`: the columns a batch's rows carry that the table
/// lacks, each with a BigQuery type inferred from the JSON values the batch holds for it.
///
/// Only top-level members count. A member whose values are all null waits for a batch with a
/// value; a member whose name is not a valid BigQuery column name is never added (the row is
/// handled as `<unknownColumns>` says). Types: whole numbers that fit INT64 → INTEGER; other
/// numbers → NUMERIC when every value fits it exactly (at most 29 integer and 9 fraction digits,
/// no exponent), else FLOAT; true/false → BOOLEAN; strings → STRING (timestamps in text stay
/// STRING); objects and arrays → JSON; values of different kinds → STRING.
struct StorageColumnInference: Sendable {
    /// A column to add: its name as the first row spelled it, and its BigQuery type.
    struct Column: Sendable, Equatable {
        var name: String
        var type: String
    }

    /// What the values seen for one member have been so far.
    private struct Seen {
        var name: String
        var integers = false
        var numerics = false
        var floats = false
        var bools = false
        var strings = false
        var structured = false
    }

    /// Column names the table has, lowercased (BigQuery column names are case-insensitive).
    let known: Set<String>
    /// The CDC pseudo-columns are never added.
    let cdc: Bool
    private var seen: [String: Seen] = [:]
    private var order: [String] = []

    init(known: Set<String>, cdc: Bool = false) {
        self.known = known
        self.cdc = cdc
    }

    /// Looks at one row's top-level members (a row that is not an object adds nothing).
    mutating func add(_ row: JSONValue) {
        guard case .object(let object) = row else { return }
        for (key, value) in zip(object.keys, object.values) {
            if value.isNull { continue }
            let lowered = key.lowercased()
            if known.contains(lowered) { continue }
            if var entry = seen[lowered] {
                Self.note(value, in: &entry)
                seen[lowered] = entry
                continue
            }
            guard Self.isValidName(key), !(cdc && Self.isChangeColumn(key)) else { continue }
            var entry = Seen(name: key)
            Self.note(value, in: &entry)
            seen[lowered] = entry
            order.append(lowered)
        }
    }

    /// The columns to add, in order of first appearance.
    var columns: [Column] {
        order.compactMap { key in seen[key].map { Column(name: $0.name, type: Self.type(of: $0)) } }
    }

    private static func note(_ value: JSONValue, in entry: inout Seen) {
        switch value {
        case .null: break
        case .bool: entry.bools = true
        case .string: entry.strings = true
        case .array, .object: entry.structured = true
        case .number(let literal):
            switch numberKind(literal) {
            case .integer: entry.integers = true
            case .numeric: entry.numerics = true
            case .float: entry.floats = true
            }
        }
    }

    private static func type(of entry: Seen) -> String {
        let numbers = entry.integers || entry.numerics || entry.floats
        let kinds = [numbers, entry.bools, entry.strings, entry.structured].filter { $0 }.count
        if kinds > 1 { return "STRING" }
        if entry.bools { return "BOOLEAN" }
        if entry.structured { return "JSON" }
        if entry.strings { return "STRING" }
        if entry.floats { return "FLOAT" }
        if entry.numerics { return "NUMERIC" }
        return "INTEGER"
    }

    enum NumberKind: Equatable { case integer, numeric, float }

    /// How a JSON number literal fits: a whole number within INT64, a decimal NUMERIC holds
    /// exactly (≤ 29 integer digits, ≤ 9 fraction digits once trailing zeros go, no exponent), or
    /// neither (FLOAT).
    static func numberKind(_ literal: String) -> NumberKind {
        var text = Substring(literal)
        if text.first == "-" || text.first == "+" { text = text.dropFirst() }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return .float }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0].drop { $0 == "0" }
        var fraction = parts.count > 1 ? parts[1] : ""
        while fraction.last == "0" { fraction = fraction.dropLast() }
        if parts.count == 1, Int64(literal) != nil { return .integer }
        if whole.count <= 29, fraction.count <= 9, !fraction.contains(".") { return .numeric }
        return .float
    }

    /// BigQuery's column names: letters, digits and underscores, not starting with a digit, at
    /// most 300 characters, none of the reserved prefixes.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 300,
              first.properties.isAlphabetic || first == "_",
              name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") })
        else { return false }
        let upper = name.uppercased()
        return !["_TABLE_", "_FILE_", "_PARTITION", "_ROW_TIMESTAMP", "__ROOT__", "_COLIDENTIFIER"].contains { upper.hasPrefix($0) }
    }

    private static func isChangeColumn(_ name: String) -> Bool {
        let upper = name.uppercased()
        return upper == StorageRowPreparer.changeType || upper == StorageRowPreparer.changeSequenceNumber
    }
}
