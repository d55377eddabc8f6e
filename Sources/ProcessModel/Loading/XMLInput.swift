internal import CLibXML2

/// One element of an XML document read into Swift: name, attributes, direct text and child elements.
package struct XMLTreeNode: Sendable {
    package var name: String
    package var attributes: [(name: String, value: String)]
    /// The text and CDATA directly inside the element, concatenated (not trimmed).
    package var text: String
    package var children: [XMLTreeNode]
    /// The line of the start tag.
    package var line: Int
}

/// Why an XML document could not be read.
package struct XMLInputError: Error, Sendable {
    package var line: Int
    package var message: String

    package init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// Parses documents (not component files) with the same secure libxml2 parse as the loader
/// (``XMLDocument/parseDocument(_:collector:)``): no network, no DTD, no entity expansion.
///
/// A document declaring a DOCTYPE is refused before its contents are read (the check on the
/// bytes finds it; the parser also stops at any DOCTYPE it meets), so no entity is ever
/// declared, loaded or expanded.
package enum XMLInput {
    /// An element of a document being read (an `xmlNodePtr`, valid inside ``withDocument(_:_:)``).
    package struct Element {
        fileprivate let pointer: xmlNodePtr
    }

    /// A parsed document (an `xmlDocPtr`, valid inside ``withDocument(_:_:)``).
    package struct Document {
        fileprivate let pointer: xmlDocPtr
    }

    /// Reads `bytes` into a tree of ``XMLTreeNode``.
    package static func tree(_ bytes: [UInt8]) throws(XMLInputError) -> XMLTreeNode {
        let result: Result<XMLTreeNode, XMLInputError> = withDocument(bytes) { _, root in .success(node(root)) }
        return try result.get()
    }

    /// Parses `bytes` and hands the document and its root element to `body`; the tree is freed afterwards.
    package static func withDocument<T>(_ bytes: [UInt8], _ body: (Document, Element) -> Result<T, XMLInputError>)
        -> Result<T, XMLInputError> {
        LibXML2.prepare()
        if let line = doctypeLine(bytes) {
            return .failure(XMLInputError(line: line, message: "DOCTYPE is not allowed in documents"))
        }
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            return .failure(XMLInputError(line: 1, message: "document is empty"))
        }
        let collector = XMLErrorCollector()
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                XMLDocument.parseDocument(chars, collector: collector)
            }
        }
        defer { if let parsed { xmlFreeDoc(parsed) } }
        if let line = collector.doctypeLine {
            return .failure(XMLInputError(line: line, message: "DOCTYPE is not allowed in documents"))
        }
        if let error = collector.errors.first {
            var message = error.message
            while message.last?.isWhitespace == true { message.removeLast() }
            return .failure(XMLInputError(line: max(error.line, 1), message: message))
        }
        guard let parsed, let root = xmlDocGetRootElement(parsed) else {
            return .failure(XMLInputError(line: 1, message: "document has no root element"))
        }
        return body(Document(pointer: parsed), Element(pointer: root))
    }

    /// The line of a `<!DOCTYPE` in the bytes, if any.
    private static func doctypeLine(_ bytes: [UInt8]) -> Int? {
        let marker = Array("<!DOCTYPE".utf8)
        guard bytes.count >= marker.count else { return nil }
        var line = 1
        for index in 0...(bytes.count - marker.count) {
            if bytes[index] == 0x0A { line += 1 }
            if bytes[index] == marker[0], bytes[index + 1] == marker[1], Array(bytes[index..<index + marker.count])
                .elementsEqual(marker, by: { $0 == $1 || ($1 >= 0x41 && $1 <= 0x5A && $0 == $1 + 0x20) }) {
                return line
            }
        }
        return nil
    }

    /// The element and its descendants as ``XMLTreeNode`` values.
    package static func node(_ element: Element) -> XMLTreeNode {
        node(element.pointer)
    }

    private static func node(_ element: xmlNodePtr) -> XMLTreeNode {
        var attributes: [(name: String, value: String)] = []
        var attribute = element.pointee.properties
        while let current = attribute {
            let value: String
            if let text = xmlNodeListGetString(element.pointee.doc, current.pointee.children, 1) {
                value = String(cString: text)
                conveyor_xml_free(text)
            } else {
                value = ""
            }
            attributes.append((name: LibXML2.string(current.pointee.name), value: value))
            attribute = current.pointee.next
        }
        var text = ""
        var children: [XMLTreeNode] = []
        var child = element.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE: children.append(node(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: text += LibXML2.string(current.pointee.content)
            default: break
            }
            child = current.pointee.next
        }
        return XMLTreeNode(name: LibXML2.string(element.pointee.name), attributes: attributes, text: text,
                           children: children, line: Int(xmlGetLineNo(element)))
    }

    /// The child elements of `element` named `name`.
    package static func children(of element: Element, named name: String) -> [Element] {
        var found: [Element] = []
        var child = element.pointer.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, LibXML2.string(current.pointee.name) == name {
                found.append(Element(pointer: current))
            }
            child = current.pointee.next
        }
        return found
    }

    /// The name of `element`.
    package static func name(of element: Element) -> String {
        LibXML2.string(element.pointer.pointee.name)
    }

    /// `element` of `document` written out as XML, exactly as libxml2 serialises it.
    package static func dump(_ element: Element, in document: Document) -> [UInt8] {
        guard let buffer = xmlBufferCreate() else { return [] }
        defer { xmlBufferFree(buffer) }
        xmlNodeDump(buffer, document.pointer, element.pointer, 0, 0)
        guard let content = xmlBufferContent(buffer) else { return [] }
        let length = Int(xmlBufferLength(buffer))
        return Array(UnsafeBufferPointer(start: content, count: length))
    }
}
