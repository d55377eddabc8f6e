internal import CLibXML2

/// One element of an XML document read into Swift: name, attributes, direct text and child elements.
struct XMLNode: Sendable {
    var name: String
    var attributes: [(name: String, value: String)]
    /// The text and CDATA directly inside the element, concatenated (not trimmed).
    var text: String
    var children: [XMLNode]
    /// The line of the start tag.
    var line: Int
}

/// Why an XML document could not be read.
struct XMLInputError: Error, Sendable {
    var line: Int
    var message: String
}

/// Parses XML documents with libxml2 safely: no network, no DTD, no entity expansion.
///
/// A document declaring a DOCTYPE is refused before its contents are read (the check on the
/// bytes finds it; the parser also stops at any DOCTYPE it meets), so no entity is ever
/// declared, loaded or expanded.
enum XMLInput {
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    /// Reads `bytes` into a tree of ``XMLNode``.
    static func tree(_ bytes: [UInt8]) throws(XMLInputError) -> XMLNode {
        let result: Result<XMLNode, XMLInputError> = withDocument(bytes) { _, root in .success(node(root)) }
        return try result.get()
    }

    /// Parses `bytes` and hands the document and its root element to `body`; the tree is freed afterwards.
    static func withDocument<T>(_ bytes: [UInt8],
                                _ body: (OpaquePointer, OpaquePointer) -> Result<T, XMLInputError>)
        -> Result<T, XMLInputError> {
        _ = initialised
        conveyor_xml_silence_generic_errors()
        if let line = doctypeLine(bytes) {
            return .failure(XMLInputError(line: line, message: "DOCTYPE is not allowed in documents"))
        }
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            return .failure(XMLInputError(line: 1, message: "document is empty"))
        }
        let collector = Collector()
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars -> xmlDocPtr? in
                guard let base = chars.baseAddress,
                      let context = xmlCreateMemoryParserCtxt(base, Int32(clamping: chars.count)) else { return nil }
                defer { xmlFreeParserCtxt(context) }
                xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue
                                                 | XML_PARSE_BIG_LINES.rawValue))
                let unmanaged = Unmanaged.passRetained(collector)
                defer { unmanaged.release() }
                context.pointee._private = unmanaged.toOpaque()
                if let sax = context.pointee.sax {
                    sax.pointee.serror = errorHandler
                    sax.pointee.internalSubset = doctypeHandler
                }
                xmlParseDocument(context)
                let document = context.pointee.myDoc
                context.pointee.myDoc = nil
                if context.pointee.wellFormed == 0, collector.error == nil {
                    collector.error = XMLInputError(line: 1, message: "document is not well-formed XML")
                }
                return document
            }
        }
        defer { if let parsed { xmlFreeDoc(parsed) } }
        if let error = collector.error { return .failure(error) }
        guard let parsed, let root = xmlDocGetRootElement(parsed) else {
            return .failure(XMLInputError(line: 1, message: "document has no root element"))
        }
        return body(OpaquePointer(parsed), OpaquePointer(root))
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

    /// The element `pointer` (an `xmlNodePtr`) and its descendants as ``XMLNode`` values.
    static func node(_ pointer: OpaquePointer) -> XMLNode {
        let element = UnsafeMutablePointer<xmlNode>(pointer)
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
            attributes.append((name: string(current.pointee.name), value: value))
            attribute = current.pointee.next
        }
        var text = ""
        var children: [XMLNode] = []
        var child = element.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE: children.append(node(OpaquePointer(current)))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: text += string(current.pointee.content)
            default: break
            }
            child = current.pointee.next
        }
        return XMLNode(name: string(element.pointee.name), attributes: attributes, text: text, children: children,
                       line: Int(xmlGetLineNo(element)))
    }

    /// The child elements of `pointer` named `name`.
    static func children(of pointer: OpaquePointer, named name: String) -> [OpaquePointer] {
        var found: [OpaquePointer] = []
        var child = UnsafeMutablePointer<xmlNode>(pointer).pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, string(current.pointee.name) == name {
                found.append(OpaquePointer(current))
            }
            child = current.pointee.next
        }
        return found
    }

    /// The name of the element `pointer`.
    static func name(of pointer: OpaquePointer) -> String {
        string(UnsafeMutablePointer<xmlNode>(pointer).pointee.name)
    }

    /// The element `pointer` of `document` written out as XML, exactly as libxml2 serialises it.
    static func dump(_ pointer: OpaquePointer, in document: OpaquePointer) -> [UInt8] {
        guard let buffer = xmlBufferCreate() else { return [] }
        defer { xmlBufferFree(buffer) }
        xmlNodeDump(buffer, xmlDocPtr(document), UnsafeMutablePointer<xmlNode>(pointer), 0, 0)
        guard let content = xmlBufferContent(buffer) else { return [] }
        let length = Int(xmlBufferLength(buffer))
        return Array(UnsafeBufferPointer(start: content, count: length))
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    /// Holds the first error of one parse; used only on the thread running that parse.
    final class Collector {
        var error: XMLInputError?

        static func from(_ context: UnsafeMutableRawPointer?) -> Collector? {
            guard let context else { return nil }
            let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
            guard let stored = parser.pointee._private else { return nil }
            return Unmanaged<Collector>.fromOpaque(stored).takeUnretainedValue()
        }
    }
}

private let errorHandler: xmlStructuredErrorFunc = { userData, error in
    guard let error, let collector = XMLInput.Collector.from(userData), collector.error == nil else { return }
    let value = error.pointee
    guard value.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    var message = value.message.map { String(cString: $0) } ?? "unknown XML error"
    while message.last?.isWhitespace == true { message.removeLast() }
    collector.error = XMLInputError(line: max(Int(value.line), 1), message: message)
}

private let doctypeHandler: internalSubsetSAXFunc = { context, _, _, _ in
    guard let context, let collector = XMLInput.Collector.from(context) else { return }
    collector.error = XMLInputError(line: Int(xmlSAX2GetLineNumber(context)),
                                    message: "DOCTYPE is not allowed in documents")
    xmlStopParser(context.assumingMemoryBound(to: xmlParserCtxt.self))
}
