import ConveyorBase
import ProcessModel

/// Reads a document that has no declared profile: JSON, or XML when its first non-blank byte is `<`.
///
/// XML becomes the same tree an XML profile gives, without types: `{root: …}`, attributes as
/// `@name`, an element with only text as its text, repeated elements as arrays, and the text of an
/// element that also has attributes or children as `#text`.
public enum UntypedDocument {
    /// Whether `bytes` look like XML (first non-blank byte `<`).
    public static func isXML(_ bytes: [UInt8]) -> Bool {
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case 0xEF: continue  // a UTF-8 byte order mark
            case 0xBB, 0xBF: continue
            default: return byte == UInt8(ascii: "<")
            }
        }
        return false
    }

    /// Parses `bytes` as XML into the untyped tree.
    public static func parseXML(_ bytes: [UInt8]) throws(UntypedXMLError) -> JSONValue {
        let root: XMLTreeNode
        do {
            root = try XMLInput.tree(bytes)
        } catch {
            throw UntypedXMLError(line: error.line, message: error.message)
        }
        return .object(JSONObject(uniqueKeys: [root.name], values: [value(of: root)]))
    }

    private static func value(of node: XMLTreeNode) -> JSONValue {
        if node.attributes.isEmpty, node.children.isEmpty { return .string(node.text) }
        var object = JSONObject()
        for attribute in node.attributes { object["@" + attribute.name] = .string(attribute.value) }
        var names: [String] = []
        var groups: [String: [JSONValue]] = [:]
        for child in node.children {
            if groups[child.name] == nil { names.append(child.name) }
            groups[child.name, default: []].append(value(of: child))
        }
        for name in names {
            let values = groups[name] ?? []
            object[name] = values.count == 1 ? values[0] : .array(values)
        }
        let text = node.text.trimming(.whitespacesAndNewlines)
        if !text.isEmpty { object["#text"] = .string(text) }
        return .object(object)
    }
}

/// Why a document without a profile could not be read as XML.
public struct UntypedXMLError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public var description: String { "not well-formed XML (line \(line)): \(message)" }
}
