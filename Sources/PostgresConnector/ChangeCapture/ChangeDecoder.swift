import DocumentMapping
import Foundation
import ProcessEngine

/// Turns wal2json (format 2) rows into change documents: the row's values typed as `query` types
/// them, with the properties `schema`, `table`, `op`, `key_columns`, `lsn`, `commit_time`, `xid`.
struct ChangeDecoder {
    /// Key columns by `schema.table`, as the publication's tables have them.
    var keys: [String: [String]]
    /// The transaction being read (from its `B` row).
    private var xid = ""
    private var commitTime = ""
    /// The end of the last transaction read whole (its `C` row): where the slot may move to.
    private(set) var lastCommit: String?
    private(set) var transactions = 0

    init(keys: [String: [String]]) {
        self.keys = keys
    }

    /// The documents of one row (none for a transaction's begin or commit; two for an update
    /// that changed the key: a delete of the old key, then an insert).
    mutating func decode(lsn: String, data: String) throws(PostgresConnectorError) -> [Document] {
        let change: JSONValue
        do { change = try JSONParser.parse(data) } catch {
            throw PostgresConnectorError("a change at LSN \(lsn) is not wal2json output (\(error)): \(data.prefix(200))")
        }
        let action = change[key: "action"]?.stringValue ?? ""
        switch action {
        case "B":
            xid = change[key: "xid"]?.textValue ?? ""
            commitTime = change[key: "timestamp"]?.stringValue.map { Self.timestamp($0, zoned: true) } ?? ""
            return []
        case "C":
            lastCommit = lsn
            transactions += 1
            return []
        case "I", "U", "D", "T":
            break
        default:
            // Messages (`M`) and anything newer than format 2 carry no row.
            return []
        }
        let schema = change[key: "schema"]?.stringValue ?? ""
        let table = change[key: "table"]?.stringValue ?? ""
        let keyColumns = keys["\(schema).\(table)"]
            ?? (change[key: "pk"]?.arrayValue ?? []).compactMap { $0[key: "name"]?.stringValue }
        var properties: [String: String] = [
            "schema": schema, "table": table, "key_columns": keyColumns.joined(separator: ","),
            "lsn": change[key: "lsn"]?.stringValue ?? lsn, "commit_time": commitTime, "xid": xid,
        ]
        func document(_ op: String, _ members: [(String, JSONValue)]) -> Document {
            properties["op"] = op
            return Document(data: JSONValue.object(JSONObject(members)).serialized(), properties: properties)
        }
        switch action {
        case "I":
            return [document("insert", Self.values(change[key: "columns"]))]
        case "U":
            let new = Self.values(change[key: "columns"])
            // The old key (wal2json's identity) differs from the new one: the row moved to another key.
            let old = Self.values(change[key: "identity"]).filter { keyColumns.contains($0.0) }
            let newKey = new.filter { keyColumns.contains($0.0) }
            if !old.isEmpty, old.count == newKey.count, Dictionary(old, uniquingKeysWith: { a, _ in a })
                != Dictionary(newKey, uniquingKeysWith: { a, _ in a }) {
                return [document("delete", old), document("insert", new)]
            }
            return [document("update", new)]
        case "D":
            var old = Self.values(change[key: "identity"])
            if !keyColumns.isEmpty { old = old.filter { keyColumns.contains($0.0) } }
            return [document("delete", old)]
        default:
            return [document("truncate", [])]
        }
    }

    /// `[{"name", "type", "value"}]` as (name, typed value) pairs.
    static func values(_ columns: JSONValue?) -> [(String, JSONValue)] {
        (columns?.arrayValue ?? []).compactMap { column in
            guard let name = column[key: "name"]?.stringValue else { return nil }
            return (name, convert(column[key: "value"] ?? .null, type: column[key: "type"]?.stringValue ?? ""))
        }
    }

    /// A wal2json value as `query` writes the same value: json as JSON, bytea as base64, times in
    /// RFC 3339, arrays as JSON arrays; numbers keep their digits.
    static func convert(_ value: JSONValue, type declared: String) -> JSONValue {
        guard case .string(let text) = value else { return value }
        let type = baseType(declared)
        if type.hasSuffix("[]") {
            return ArrayLiteral.parse(text, elementType: String(type.dropLast(2))) ?? value
        }
        switch type {
        case "json", "jsonb":
            return (try? JSONParser.parse(text)) ?? value
        case "bytea":
            return hexBytes(text).map { .string(Data($0).base64EncodedString()) } ?? value
        case "timestamp with time zone":
            return .string(timestamp(text, zoned: true))
        case "timestamp without time zone":
            return .string(timestamp(text, zoned: false))
        case "time without time zone":
            return .string(fractionPadded(text))
        default:
            return value
        }
    }

    /// `numeric(20,4)` → `numeric`; `timestamp(3) with time zone` → `timestamp with time zone`.
    static func baseType(_ type: String) -> String {
        guard type.contains("(") else { return type }
        var result = ""
        var depth = 0
        for character in type {
            if character == "(" { depth += 1 } else if character == ")" { depth -= 1 } else if depth == 0 {
                result.append(character)
            }
        }
        return result
    }

    /// `2026-01-02 03:04:05.12+00` (ISO output in UTC) → `2026-01-02T03:04:05.120000Z`, as
    /// `query` writes it (six fraction digits, none when zero); `infinity` stays.
    static func timestamp(_ text: String, zoned: Bool) -> String {
        guard text.count >= 19, let space = text.firstIndex(of: " ") else { return text }
        var rest = String(text[text.index(after: space)...])
        var zone = ""
        if zoned, let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            zone = String(rest[sign...])
            rest = String(rest[..<sign])
            if zone == "+00" || zone == "+00:00" || zone == "-00" { zone = "Z" } else if zone.count == 3 { zone += ":00" }
        }
        return String(text[..<space]) + "T" + fractionPadded(rest) + zone
    }

    /// `03:04:05.12` → `03:04:05.120000`; `03:04:05.000000` → `03:04:05`.
    static func fractionPadded(_ time: String) -> String {
        guard let dot = time.firstIndex(of: ".") else { return time }
        let fraction = time[time.index(after: dot)...]
        if fraction.allSatisfy({ $0 == "0" }) { return String(time[..<dot]) }
        return String(time[..<dot]) + "." + fraction.prefix(6) + String(repeating: "0", count: max(0, 6 - fraction.count))
    }

    /// wal2json's bytea text: hex digits, with or without `\x`.
    static func hexBytes(_ text: String) -> [UInt8]? {
        var digits = Substring(text)
        if digits.hasPrefix("\\x") { digits = digits.dropFirst(2) }
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// PostgreSQL's array text (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`) as a JSON array.
enum ArrayLiteral {
    static let numericTypes: Set<String> = ["smallint", "integer", "bigint", "numeric", "real", "double precision", "oid"]

    static func parse(_ text: String, elementType: String) -> JSONValue? {
        var characters = Array(text.unicodeScalars)
        // A lower bound other than 1 is written first: `[0:1]={…}`.
        if characters.first == "[", let equals = characters.firstIndex(of: "=") { characters.removeFirst(equals + 1) }
        var position = 0
        let value = level(characters, &position, elementType: elementType)
        return position == characters.count ? value : nil
    }

    private static func level(_ characters: [Unicode.Scalar], _ position: inout Int, elementType: String) -> JSONValue? {
        guard position < characters.count, characters[position] == "{" else { return nil }
        position += 1
        var elements: [JSONValue] = []
        if position < characters.count, characters[position] == "}" {
            position += 1
            return .array([])
        }
        while position < characters.count {
            if characters[position] == "{" {
                guard let nested = level(characters, &position, elementType: elementType) else { return nil }
                elements.append(nested)
            } else if characters[position] == "\"" {
                position += 1
                var text = String.UnicodeScalarView()
                while position < characters.count, characters[position] != "\"" {
                    if characters[position] == "\\" { position += 1 }
                    guard position < characters.count else { return nil }
                    text.append(characters[position])
                    position += 1
                }
                position += 1
                elements.append(element(String(text), elementType: elementType))
            } else {
                var text = String.UnicodeScalarView()
                while position < characters.count, characters[position] != ",", characters[position] != "}" {
                    text.append(characters[position])
                    position += 1
                }
                let word = String(text)
                elements.append(word == "NULL" ? .null : element(word, elementType: elementType))
            }
            guard position < characters.count else { return nil }
            if characters[position] == "," { position += 1; continue }
            if characters[position] == "}" { position += 1; return .array(elements) }
            return nil
        }
        return nil
    }

    private static func element(_ text: String, elementType: String) -> JSONValue {
        if numericTypes.contains(elementType), text.first != "N", text.last != "y" { return .number(text) }
        if elementType == "boolean" { return .bool(text == "t" || text == "true") }
        return ChangeDecoder.convert(.string(text), type: elementType)
    }
}
