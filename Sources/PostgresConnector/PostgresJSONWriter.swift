import ConveyorBase
import Foundation
import NIOCore
import PostgresNIO

/// Writes result cells (PostgreSQL's binary format) as JSON values: integers and numeric as exact
/// JSON numbers, times as RFC 3339 text, json/jsonb embedded, bytea as base64, arrays as arrays.
enum PostgresJSONWriter {
    /// Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
    static let epochMicros: Int64 = 946_684_800_000_000
    /// Days from 1970-01-01 to 2000-01-01.
    static let epochDays: Int64 = 10_957

    /// The array types read (element types are read from each value's header).
    static let arrayTypes: Set<UInt32> = [
        1000, 1001, 1002, 1003, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1028, 1115, 1182, 1183,
        1185, 1231, 2951, 199, 3807,
    ]

    /// A cell the writer cannot read: names the column and tells how to get it anyway.
    struct UnreadableCell: Error {
        var type: PostgresDataType
    }

    /// Appends `cell`'s value as JSON; `column` names it in errors.
    static func append(_ cell: PostgresCell, to out: inout [UInt8]) throws(PostgresConnectorError) {
        guard var bytes = cell.bytes else {
            out.append(contentsOf: "null".utf8)
            return
        }
        do throws(UnreadableCell) {
            try appendValue(&bytes, type: cell.dataType, to: &out)
        } catch {
            throw PostgresConnectorError("column '\(cell.columnName)' has type \(error.type) (OID \(error.type.rawValue)), "
                + "which the connector does not read: cast it in the SQL, e.g. \(cell.columnName)::text")
        }
    }

    static func appendValue(_ bytes: inout ByteBuffer, type: PostgresDataType, to out: inout [UInt8]) throws(UnreadableCell) {
        switch type.rawValue {
        case 21: // int2
            guard let value = bytes.readInteger(as: Int16.self) else { throw UnreadableCell(type: type) }
            appendASCII(String(value), to: &out)
        case 23: // int4
            guard let value = bytes.readInteger(as: Int32.self) else { throw UnreadableCell(type: type) }
            appendASCII(String(value), to: &out)
        case 20: // int8
            guard let value = bytes.readInteger(as: Int64.self) else { throw UnreadableCell(type: type) }
            appendASCII(String(value), to: &out)
        case 26: // oid
            guard let value = bytes.readInteger(as: UInt32.self) else { throw UnreadableCell(type: type) }
            appendASCII(String(value), to: &out)
        case 16: // bool
            guard let value = bytes.readInteger(as: UInt8.self) else { throw UnreadableCell(type: type) }
            out.append(contentsOf: value != 0 ? "true".utf8 : "false".utf8)
        case 700: // float4
            guard let bits = bytes.readInteger(as: UInt32.self) else { throw UnreadableCell(type: type) }
            appendFloat(Float(bitPattern: bits).description, finite: Float(bitPattern: bits).isFinite, to: &out)
        case 701: // float8
            guard let bits = bytes.readInteger(as: UInt64.self) else { throw UnreadableCell(type: type) }
            appendFloat(Double(bitPattern: bits).description, finite: Double(bitPattern: bits).isFinite, to: &out)
        case 1700: // numeric
            guard let text = numericText(&bytes) else { throw UnreadableCell(type: type) }
            if text.first == "N" || text.last == "y" { appendString(text, to: &out) } else { appendASCII(text, to: &out) }
        case 25, 1043, 1042, 19, 18, 705, 142: // text, varchar, char(n), name, "char", unknown, xml
            appendString(bytes.readString(length: bytes.readableBytes) ?? "", to: &out)
        case 114: // json
            out.append(contentsOf: bytes.readableBytesView)
        case 3802: // jsonb: a version byte, then the text
            guard bytes.readInteger(as: UInt8.self) == 1 else { throw UnreadableCell(type: type) }
            out.append(contentsOf: bytes.readableBytesView)
        case 17: // bytea
            appendASCII(Data(bytes.readableBytesView).base64EncodedString(), quoted: true, to: &out)
        case 2950: // uuid
            guard let text = uuidText(bytes.readableBytesView) else { throw UnreadableCell(type: type) }
            appendASCII(text, quoted: true, to: &out)
        case 1184, 1114: // timestamptz, timestamp
            guard let value = bytes.readInteger(as: Int64.self) else { throw UnreadableCell(type: type) }
            if value == .max || value == .min {
                appendASCII(value == .max ? "infinity" : "-infinity", quoted: true, to: &out)
            } else {
                var text = RFC3339.text(micros: value &+ epochMicros, fraction: .microsecondsUnlessZero)
                if type.rawValue == 1114 { text.removeLast() } // no zone: no "Z"
                appendASCII(text, quoted: true, to: &out)
            }
        case 1082: // date
            guard let value = bytes.readInteger(as: Int32.self) else { throw UnreadableCell(type: type) }
            if value == .max || value == .min {
                appendASCII(value == .max ? "infinity" : "-infinity", quoted: true, to: &out)
            } else {
                let (year, month, day) = CivilCalendar.date(days: Int64(value) + epochDays)
                appendASCII(pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2), quoted: true, to: &out)
            }
        case 1083: // time
            guard let value = bytes.readInteger(as: Int64.self) else { throw UnreadableCell(type: type) }
            let seconds = value / 1_000_000
            var text = pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
            if value % 1_000_000 != 0 { text += "." + pad(value % 1_000_000, 6) }
            appendASCII(text, quoted: true, to: &out)
        case let oid where arrayTypes.contains(oid):
            try appendArray(&bytes, type: type, to: &out)
        default:
            throw UnreadableCell(type: type)
        }
    }

    /// A binary array (dimensions, bounds, then each element with its length) as nested JSON arrays.
    private static func appendArray(_ bytes: inout ByteBuffer, type: PostgresDataType,
                                    to out: inout [UInt8]) throws(UnreadableCell) {
        guard let dimensions = bytes.readInteger(as: Int32.self), bytes.readInteger(as: Int32.self) != nil,
              let element = bytes.readInteger(as: UInt32.self), (0...6).contains(dimensions) else {
            throw UnreadableCell(type: type)
        }
        var sizes: [Int] = []
        for _ in 0..<dimensions {
            guard let size = bytes.readInteger(as: Int32.self), size >= 0, bytes.readInteger(as: Int32.self) != nil else {
                throw UnreadableCell(type: type)
            }
            sizes.append(Int(size))
        }
        if sizes.isEmpty {
            out.append(contentsOf: "[]".utf8)
            return
        }
        func level(_ depth: Int) throws(UnreadableCell) {
            out.append(UInt8(ascii: "["))
            for position in 0..<sizes[depth] {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                if depth + 1 < sizes.count {
                    try level(depth + 1)
                    continue
                }
                guard let length = bytes.readInteger(as: Int32.self) else { throw UnreadableCell(type: type) }
                if length < 0 {
                    out.append(contentsOf: "null".utf8)
                } else {
                    guard var value = bytes.readSlice(length: Int(length)) else { throw UnreadableCell(type: type) }
                    try appendValue(&value, type: PostgresDataType(element), to: &out)
                }
            }
            out.append(UInt8(ascii: "]"))
        }
        try level(0)
    }

    /// A binary numeric as its exact decimal text (`NaN`, `Infinity`, `-Infinity` for the special values).
    static func numericText(_ bytes: inout ByteBuffer) -> String? {
        guard let count = bytes.readInteger(as: Int16.self), let weight = bytes.readInteger(as: Int16.self),
              let sign = bytes.readInteger(as: UInt16.self), let scale = bytes.readInteger(as: Int16.self),
              count >= 0, scale >= 0 else { return nil }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        case 0x0000, 0x4000: break
        default: return nil
        }
        var digits: [Int16] = []
        digits.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let digit = bytes.readInteger(as: Int16.self), (0..<10_000).contains(digit) else { return nil }
            digits.append(digit)
        }
        func digit(_ position: Int) -> Int16 { position >= 0 && position < digits.count ? digits[position] : 0 }
        var text = sign == 0x4000 ? "-" : ""
        if weight < 0 {
            text += "0"
        } else {
            text += String(digit(0))
            for position in stride(from: 1, through: Int(weight), by: 1) { text += pad(Int64(digit(position)), 4) }
        }
        if scale > 0 {
            var fraction = ""
            var position = Int(weight) + 1
            while fraction.count < Int(scale) {
                fraction += pad(Int64(digit(position)), 4)
                position += 1
            }
            text += "." + String(fraction.prefix(Int(scale)))
        }
        if text == "-0" || (text.hasPrefix("-") && text.dropFirst().allSatisfy { $0 == "0" || $0 == "." }) {
            text.removeFirst()
        }
        return text
    }

    private static func uuidText(_ bytes: ByteBufferView) -> String? {
        guard bytes.count == 16 else { return nil }
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (offset, byte) in bytes.enumerated() {
            if offset == 4 || offset == 6 || offset == 8 || offset == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func appendFloat(_ text: String, finite: Bool, to out: inout [UInt8]) {
        if finite {
            appendASCII(text, to: &out)
        } else {
            appendASCII(text == "nan" ? "NaN" : text == "inf" ? "Infinity" : "-Infinity", quoted: true, to: &out)
        }
    }

    private static func appendASCII(_ text: String, quoted: Bool = false, to out: inout [UInt8]) {
        if quoted { out.append(UInt8(ascii: "\"")) }
        out.append(contentsOf: text.utf8)
        if quoted { out.append(UInt8(ascii: "\"")) }
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
