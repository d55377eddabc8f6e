/// `application/x-www-form-urlencoded` bodies.
enum FormEncoding {
    /// Encodes name/value pairs in order, percent-encoding everything but unreserved characters.
    static func encode(_ fields: [(String, String)]) -> [UInt8] {
        let text = fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
        return Array(text.utf8)
    }

    /// Percent-encodes all bytes except ALPHA, DIGIT, `-`, `.`, `_`, `~`.
    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%"
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return result
    }
}
