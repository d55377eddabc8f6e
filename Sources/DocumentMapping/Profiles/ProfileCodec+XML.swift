import ProcessModel

extension ProfileCodec {
    /// Reads an XML document into `{root: …}`, typed and checked by the profile.
    func readXML(_ bytes: [UInt8], violations: inout [ProfileViolation]) -> JSONValue {
        let node: XMLTreeNode
        do {
            node = try XMLInput.tree(bytes)
        } catch {
            violations.append(ProfileViolation(path: "/", message: "not well-formed XML (line \(error.line)): \(error.message)"))
            return .null
        }
        guard let root = shape.fields.first else { return .null }
        guard node.name == root.name else {
            violations.append(ProfileViolation(path: "/", message: "the root element is <\(node.name)>, expected <\(root.name)>"))
            return .null
        }
        let content = element(node, field: root, path: "/" + root.name, violations: &violations)
        return .object(JSONObject(uniqueKeys: [root.name], values: [content]))
    }

    private func element(_ node: XMLTreeNode, field: FieldShape?, path: String,
                         violations: inout [ProfileViolation]) -> JSONValue {
        if let field, !field.kind.hasChildren, field.kind != .json {
            return scalar(node.text, field: field, path: path, violations: &violations)
        }
        if field == nil, node.attributes.isEmpty, node.children.isEmpty { return .string(node.text) }
        let declared = field?.children ?? []
        var object = JSONObject()
        object.reserveCapacity(node.attributes.count + node.children.count)
        for attribute in node.attributes {
            let key = "@" + attribute.name
            if let attributeField = declared.first(where: { $0.name == key }) {
                object[key] = scalar(attribute.value, field: attributeField, path: path + "/" + key, violations: &violations)
            } else {
                object[key] = .string(attribute.value)
            }
        }
        var names: [String] = []
        var groups: [String: [XMLTreeNode]] = [:]
        for child in node.children {
            if groups[child.name] == nil { names.append(child.name) }
            groups[child.name, default: []].append(child)
        }
        for name in names {
            let nodes = groups[name] ?? []
            let childField = declared.first { $0.name == name }
            let childPath = path + "/" + name
            if childField?.repeated == true || nodes.count > 1 {
                var items: [JSONValue] = []
                items.reserveCapacity(nodes.count)
                for (index, item) in nodes.enumerated() {
                    items.append(element(item, field: childField, path: childPath + "/" + String(index),
                                         violations: &violations))
                }
                object[name] = .array(items)
            } else if let only = nodes.first {
                object[name] = element(only, field: childField, path: childPath, violations: &violations)
            }
        }
        if let textField = declared.first(where: { $0.name == "#text" }) {
            object["#text"] = scalar(node.text, field: textField, path: path, violations: &violations)
        } else if !Substring(node.text).trimmingASCIIWhitespace().isEmpty {
            object["#text"] = .string(node.text)
        }
        for required in declared where required.required && (object[required.name] ?? .null).isNull {
            let what = required.name.hasPrefix("@") ? "attribute" : "element"
            let message = object[required.name] == nil ? "required \(what) is missing" : "required \(what) is empty"
            violations.append(ProfileViolation(path: path + "/" + required.name, message: message))
        }
        return .object(object)
    }

    /// Typed text; empty text of a non-text type is null.
    func scalar(_ text: String, field: FieldShape, path: String, violations: inout [ProfileViolation]) -> JSONValue {
        if field.kind != .character, field.kind != .string, Substring(text).trimmingASCIIWhitespace().isEmpty {
            return .null
        }
        return typed(text, field: field, path: path, violations: &violations)
    }

    /// Writes `value` (`{root: …}` or the root's content) as an XML document.
    func writeXML(_ value: JSONValue) throws(DocumentWriteError) -> [UInt8] {
        let rootName = shape.fields.first?.name ?? "root"
        var content = value
        if case .object(let object) = value, object.count == 1, let inner = object[rootName] { content = inner }
        var output = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".utf8)
        output.reserveCapacity(512)
        do throws(XMLOutput.InvalidName) {
            try XMLOutput.element(rootName, content, into: &output)
        } catch {
            throw DocumentWriteError(profileID: profile.id, message: "'\(error.name)' is not a valid XML name")
        }
        output.append(UInt8(ascii: "\n"))
        return output
    }
}

/// Writes a tree as XML elements: `@name` members become attributes, `#text` the element's text,
/// arrays repeated elements; text and attribute values are escaped.
enum XMLOutput {
    /// A member name that cannot be an XML element or attribute name.
    struct InvalidName: Error {
        var name: String
    }

    static func element(_ name: String, _ value: JSONValue, into output: inout [UInt8]) throws(InvalidName) {
        if case .array(let items) = value {
            for item in items { try element(name, item, into: &output) }
            return
        }
        try checkName(name)
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: name.utf8)
        switch value {
        case .null:
            output.append(contentsOf: [UInt8(ascii: "/"), UInt8(ascii: ">")])
        case .object(let object):
            for index in object.keys.indices where object.keys[index].hasPrefix("@") {
                guard let text = object.values[index].textValue else { continue }
                let attribute = String(object.keys[index].dropFirst())
                try checkName(attribute)
                output.append(UInt8(ascii: " "))
                output.append(contentsOf: attribute.utf8)
                output.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "\"")])
                escape(text, attribute: true, into: &output)
                output.append(UInt8(ascii: "\""))
            }
            output.append(UInt8(ascii: ">"))
            if let text = object["#text"]?.textValue { escape(text, attribute: false, into: &output) }
            for index in object.keys.indices where !object.keys[index].hasPrefix("@") && object.keys[index] != "#text" {
                try element(object.keys[index], object.values[index], into: &output)
            }
            closeTag(name, into: &output)
        default:
            output.append(UInt8(ascii: ">"))
            escape(value.textValue ?? "", attribute: false, into: &output)
            closeTag(name, into: &output)
        }
    }

    private static func closeTag(_ name: String, into output: inout [UInt8]) {
        output.append(contentsOf: [UInt8(ascii: "<"), UInt8(ascii: "/")])
        output.append(contentsOf: name.utf8)
        output.append(UInt8(ascii: ">"))
    }

    private static func checkName(_ name: String) throws(InvalidName) {
        guard let first = name.unicodeScalars.first,
              first.properties.isAlphabetic || first == "_",
              name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0)
                                                || $0 == "-" || $0 == "_" || $0 == "." || $0 == ":" })
        else { throw InvalidName(name: name) }
    }

    /// Appends `text` with `&`, `<`, `>` (and in attributes `"` and line breaks) escaped.
    static func escape(_ text: String, attribute: Bool, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: Array("&amp;".utf8))
            case UInt8(ascii: "<"): output.append(contentsOf: Array("&lt;".utf8))
            case UInt8(ascii: ">"): output.append(contentsOf: Array("&gt;".utf8))
            case UInt8(ascii: "\"") where attribute: output.append(contentsOf: Array("&quot;".utf8))
            case 0x0A where attribute: output.append(contentsOf: Array("&#10;".utf8))
            case 0x0D: output.append(contentsOf: Array("&#13;".utf8))
            case 0x09 where attribute: output.append(contentsOf: Array("&#9;".utf8))
            default: output.append(byte)
            }
        }
    }
}
