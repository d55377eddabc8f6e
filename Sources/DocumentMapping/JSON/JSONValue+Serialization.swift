import ConveyorBase

extension JSONValue {
    /// The value as compact JSON in UTF-8.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        serialize(into: &output)
        return output
    }

    /// Appends the value as compact JSON to `output`.
    ///
    /// Quotes, backslashes and control characters are escaped; other characters,
    /// including non-ASCII ones, are written as UTF-8.
    public func serialize(into output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): output.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): output.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let literal): output.append(contentsOf: literal.utf8)
        case .string(let string): JSONBytes.appendQuoted(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                element.serialize(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for index in object.keys.indices {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONBytes.appendQuoted(object.keys[index], to: &output)
                output.append(UInt8(ascii: ":"))
                object.values[index].serialize(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The value as compact JSON text.
    public var jsonString: String {
        String(decoding: serialized(), as: UTF8.self)
    }
}
