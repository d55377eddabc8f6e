import ConveyorBase
import ProcessModel

/// Entry points that run arbitrary bytes through the readers of this module.
///
/// The fuzz targets and the corpus tests call the same functions. Each returns the broken
/// invariants it noticed (empty when all is well); crashes and hangs are for the caller to see.
package enum MappingFuzzing {
    /// Parses `bytes` as JSON; a parsed value must serialise to JSON that parses back to it,
    /// and the byte-level map path must agree with the tree path whenever it answers.
    package static func json(_ bytes: [UInt8], scratch: inout FastJSONMap.Scratch) -> [String] {
        var problems: [String] = []
        if let value = try? JSONParser.parse(bytes) {
            let written = value.serialized()
            if let again = try? JSONParser.parse(written) {
                if again != value { problems.append("serialised JSON reads back differently") }
                if again.serialized() != written { problems.append("serialising twice gives different bytes") }
            } else {
                problems.append("serialised JSON does not parse: \(String(decoding: written, as: UTF8.self))")
            }
        }
        // A container skipped by its brackets ends where the validating scan ends, whenever that accepts it.
        bytes.withUnsafeBufferPointer { buffer in
            let start = JSONBytes.skipWhitespace(buffer, from: 0)
            guard start < buffer.count, buffer[start] == UInt8(ascii: "[") || buffer[start] == UInt8(ascii: "{"),
                  let checked = JSONBytes.valueEnd(buffer, from: start, depth: 1, maximumDepth: JSONParser.maximumDepth) else { return }
            let unchecked = JSONBytes.containerEndUnchecked(buffer, from: start, maximumDepth: JSONParser.maximumDepth)
            if unchecked != checked { problems.append("the container ends at \(checked), skipped by brackets at \(unchecked.map(String.init) ?? "nil")") }
        }
        for map in maps {
            guard let fast = map.fastPath, let output = fast.transform(bytes, scratch: &scratch) else { continue }
            let tree = try? map.transform(bytes, context: MapContext(), documentIndex: 0).bytes
            if tree != output {
                problems.append("map \(map.id): the byte-level path wrote \(String(decoding: output, as: UTF8.self))"
                    + " but the tree path \(tree.map { String(decoding: $0, as: UTF8.self) } ?? "failed")")
            }
        }
        return problems
    }

    /// Parses the first line of `bytes` as a document path and the rest as a JSON document to apply it to.
    package static func path(_ bytes: [UInt8]) -> [String] {
        let split = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        let text = String(decoding: bytes[..<split], as: UTF8.self)
        guard let path = try? DocumentPath(text) else { return [] }
        var problems: [String] = []
        let rebuilt = DocumentPath(segments: path.segments)
        if (try? DocumentPath(rebuilt.text))?.segments != path.segments {
            problems.append("'\(text)' rebuilt as '\(rebuilt.text)' reads back differently")
        }
        let rest = split < bytes.endIndex ? Array(bytes[(split + 1)...]) : []
        if let document = try? JSONParser.parse(rest) {
            let all = path.values(in: document)
            if let first = path.firstValue(in: document), all.first != first {
                problems.append("'\(text)': firstValue differs from values.first")
            }
        }
        return problems
    }

    /// Parses `bytes` as an XML document without a profile.
    package static func untypedXML(_ bytes: [UInt8]) -> [String] {
        guard let value = try? UntypedDocument.parseXML(bytes) else { return [] }
        return (try? JSONParser.parse(value.serialized())) == nil ? ["untyped XML gave unreadable JSON"] : []
    }

    /// Maps taking the byte-level path, compiled once.
    static let maps: [CompiledMap] = {
        let here = SourceLocation(file: "fuzz", line: 1)
        func element(_ name: String, _ type: String, _ children: [ProfileElement] = []) -> ProfileElement {
            ProfileElement(name: name, type: type, children: children, location: here)
        }
        func rule(_ from: String, _ to: String, _ functions: String...) -> MappingRule {
            MappingRule(from: from, to: to, functions: functions.map { MapFunctionCall(name: $0, location: here) },
                        location: here)
        }
        let order = ProfileDefinition(id: "order", type: .json, elements: [
            element("id", "number"),
            element("customer", "object", [element("name", "character"), element("country", "character")]),
            element("items", "array", [element("sku", "character"), element("qty", "number")]),
            element("price", "number"),
        ], location: here)
        let any = ProfileDefinition(id: "any", type: .json, elements: [], location: here)
        let profiles = [order.id: order, any.id: any]
        let definitions = [
            MapDefinition(id: "any", fromProfile: "any", toProfile: "any", mappings: [
                rule("/a", "/x"), rule("/b/c", "/y/z"), rule("/list/*", "/list/*", "lowercase"), rule("/a", "/y/a"),
            ], location: here),
            MapDefinition(id: "order", fromProfile: "order", toProfile: "any", mappings: [
                rule("/id", "/order_id"), rule("/customer/name", "/customer", "uppercase"),
                rule("/items/*/sku", "/items/*/sku", "trim"), rule("/items/*/qty", "/items/*/qty"),
                rule("/price", "/total"),
            ], location: here),
        ]
        return definitions.compactMap { try? CompiledMap(map: $0, profiles: profiles) }
    }()
}
