/// A strict RFC 8259 JSON parser working directly on UTF-8 bytes.
///
/// Numbers keep their literal text, object members keep their order (a repeated
/// key keeps its last value), nesting deeper than ``maximumDepth`` is rejected so
/// hostile input cannot exhaust the stack, and anything after the value other
/// than whitespace is an error. A leading UTF-8 byte order mark is skipped.
public enum JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 512

    /// Parses one JSON value from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            do throws(JSONParseError) {
                return .success(try reader.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one JSON value from a string.
    public static func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        var text = string
        let result: Result<JSONValue, JSONParseError> = text.withUTF8 { buffer in
            var reader = JSONReader(buffer)
            do throws(JSONParseError) {
                return .success(try reader.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one JSON value from a buffer of UTF-8 bytes.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(buffer)
        return try reader.parseDocument()
    }
}
