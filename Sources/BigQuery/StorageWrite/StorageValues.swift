import ConveyorBase
import DocumentMapping
import Foundation
import ProcessEngine

/// Converts JSON values to the representations the Storage Write API expects per column type.
enum StorageValues {
    static func int64(_ value: JSONValue, column: String) throws(DocumentError) -> Int64 {
        let text: String
        switch value {
        case .number(let literal): text = literal
        case .string(let string): text = string.trimming(.whitespaces)
        default: throw mismatch(value, column: column, type: "INT64")
        }
        if let integer = Int64(text) { return integer }
        if let double = Double(text), double.rounded() == double, abs(double) < 9.2e18 { return Int64(double) }
        throw mismatch(value, column: column, type: "INT64")
    }

    static func double(_ value: JSONValue, column: String) throws(DocumentError) -> Double {
        switch value {
        case .number(let literal):
            if let double = Double(literal) { return double }
        case .string(let string):
            switch string {
            case "NaN": return .nan
            case "Infinity", "inf", "+inf": return .infinity
            case "-Infinity", "-inf": return -.infinity
            default: if let double = Double(string.trimming(.whitespaces)) { return double }
            }
        default: break
        }
        throw mismatch(value, column: column, type: "FLOAT64")
    }

    static func bool(_ value: JSONValue, column: String) throws(DocumentError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .string(let text) where text.lowercased() == "true": return true
        case .string(let text) where text.lowercased() == "false": return false
        default: throw mismatch(value, column: column, type: "BOOL")
        }
    }

    /// Text of a scalar (strings as they are, numbers and booleans as their JSON literal).
    static func text(_ value: JSONValue, column: String) throws(DocumentError) -> String {
        switch value {
        case .string(let text): return text
        case .number(let literal): return literal
        case .bool(let flag): return flag ? "true" : "false"
        default: throw mismatch(value, column: column, type: "a scalar")
        }
    }

    /// BYTES arrive base64-encoded, as in BigQuery's JSON.
    static func bytes(_ value: JSONValue, column: String) throws(DocumentError) -> [UInt8] {
        guard case .string(let text) = value, let data = Data(base64Encoded: text) else {
            throw mismatch(value, column: column, type: "BYTES (base64)")
        }
        return [UInt8](data)
    }

    /// A DATE (`YYYY-MM-DD`) as days since 1970-01-01.
    static func days(_ value: JSONValue, column: String) throws(DocumentError) -> Int32 {
        guard case .string(let text) = value, let date = CivilTime.date(Array(text.utf8)[...]), date.rest.isEmpty else {
            throw mismatch(value, column: column, type: "DATE (YYYY-MM-DD)")
        }
        return Int32(truncatingIfNeeded: date.days)
    }

    /// A TIMESTAMP as microseconds since the epoch: RFC 3339 or BigQuery's `YYYY-MM-DD HH:MM:SS[.ffffff][ UTC|Z|±HH:MM]`,
    /// or a number of seconds since the epoch.
    static func microseconds(_ value: JSONValue, column: String) throws(DocumentError) -> Int64 {
        switch value {
        case .number(let literal):
            if let seconds = Double(literal) { return Int64((seconds * 1_000_000).rounded()) }
        case .string(let text):
            if let micros = CivilTime.timestampMicros(text) { return micros }
        default: break
        }
        throw mismatch(value, column: column, type: "TIMESTAMP")
    }

    private static func mismatch(_ value: JSONValue, column: String, type: String) -> DocumentError {
        DocumentError("column \(column): \(value) is not a valid \(type)", code: .value)
    }
}
