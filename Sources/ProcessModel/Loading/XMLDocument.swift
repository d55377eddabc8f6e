internal import CLibXML2

/// A parsed XML document; owns the libxml2 tree and frees it on deinit.
final class XMLDocument {
    let pointer: xmlDocPtr
    /// The workspace-relative path used in every location of this document.
    let path: String
    /// The document as a Swift tree, with start-tag locations.
    private(set) var root: ParsedElement
    /// The location of each libxml2 element node, to place validation errors.
    var locations: [UnsafeMutableRawPointer: SourceLocation]

    private init(pointer: xmlDocPtr, path: String, root: ParsedElement,
                 locations: [UnsafeMutableRawPointer: SourceLocation]) {
        self.pointer = pointer
        self.path = path
        self.root = root
        self.locations = locations
    }

    /// Nodes taken out of the tree by `detach`, freed with the document.
    private var detached: [xmlNodePtr] = []

    deinit {
        for node in detached { xmlFreeNode(node) }
        xmlFreeDoc(pointer)
    }

    /// Takes an element of this document out of its tree (so validation can look past it).
    ///
    /// - Returns: false when the node is not an element of this document.
    func detach(_ node: UnsafeMutableRawPointer) -> Bool {
        guard locations[node] != nil else { return false }
        let element = node.assumingMemoryBound(to: xmlNode.self)
        xmlUnlinkNode(element)
        detached.append(element)
        return true
    }

    /// Rebuilds ``root`` from the libxml2 tree after it was changed, keeping each element's
    /// known location (elements copied from another document carry that document's locations).
    func rebuildRoot() {
        guard let rootNode = xmlDocGetRootElement(pointer) else { return }
        var builder = TreeBuilder(path: path, document: pointer, startTags: [], known: locations)
        root = builder.element(rootNode)
        locations = builder.locations
    }

    /// Frees a document returned by `parseDocument` that was not wrapped.
    static func free(_ document: xmlDocPtr) { xmlFreeDoc(document) }

    /// The location of an element node named by libxml2, if it belongs to this document.
    func location(ofNode node: UnsafeMutableRawPointer?) -> SourceLocation? {
        node.flatMap { locations[$0] }
    }

    /// Parses `bytes` securely: no network, no DTD loading, no entity substitution,
    /// and any DOCTYPE declaration rejected before its contents are read.
    ///
    /// - Returns: the document, or the diagnostics explaining why it is not well-formed.
    static func parse(_ bytes: [UInt8], path: String) -> Result<XMLDocument, WorkspaceError> {
        LibXML2.prepare()
        let scanner = StartTagScanner(bytes: bytes)
        if let doctype = scanner.doctype {
            // Refuse before libxml2 sees the document at all; the parser below also stops
            // at any DOCTYPE it meets, so entities are never declared nor resolved.
            return .failure(WorkspaceError([Diagnostic(
                SourceLocation(file: path, line: doctype.line, column: doctype.column),
                "DOCTYPE is not allowed")]))
        }
        guard !bytes.isEmpty else {
            return .failure(WorkspaceError([Diagnostic(SourceLocation(file: path, line: 1), "document is empty")]))
        }
        let collector = XMLErrorCollector()
        let document: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                parseDocument(chars, collector: collector)
            }
        }
        if let line = collector.doctypeLine {
            if let document { xmlFreeDoc(document) }
            return .failure(WorkspaceError([Diagnostic(SourceLocation(file: path, line: line), "DOCTYPE is not allowed")]))
        }
        guard let document, collector.errors.isEmpty else {
            if let document { xmlFreeDoc(document) }
            // Only the first error: libxml2 stops there, and what follows is its consequence.
            let diagnostic = collector.errors.first.map {
                Diagnostic(SourceLocation(file: path, line: max($0.line, 1), column: max($0.column, 1)), $0.message)
            } ?? Diagnostic(SourceLocation(file: path, line: 1), "document is not well-formed XML")
            return .failure(WorkspaceError([diagnostic]))
        }
        guard let rootNode = xmlDocGetRootElement(document) else {
            xmlFreeDoc(document)
            return .failure(WorkspaceError([Diagnostic(SourceLocation(file: path, line: 1), "document has no root element")]))
        }
        var builder = TreeBuilder(path: path, document: document, startTags: scanner.startTags)
        let root = builder.element(rootNode)
        return .success(XMLDocument(pointer: document, path: path, root: root, locations: builder.locations))
    }

    /// Runs libxml2 on `chars` with the secure options and handlers; nil when nothing was built.
    static func parseDocument(_ chars: UnsafeBufferPointer<CChar>, collector: XMLErrorCollector) -> xmlDocPtr? {
        guard let base = chars.baseAddress,
              let context = xmlCreateMemoryParserCtxt(base, Int32(clamping: chars.count)) else { return nil }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOCDATA.rawValue)
        xmlCtxtUseOptions(context, options)
        let unmanaged = Unmanaged.passRetained(collector)
        defer { unmanaged.release() }
        context.pointee._private = unmanaged.toOpaque()
        if let sax = context.pointee.sax {
            sax.pointee.serror = parserErrorHandler
            sax.pointee.internalSubset = doctypeHandler
        }
        xmlParseDocument(context)
        let document = context.pointee.myDoc
        context.pointee.myDoc = nil
        if context.pointee.wellFormed == 0, collector.errors.isEmpty, collector.doctypeLine == nil {
            collector.errors.append(XMLError(line: 1, column: 1, message: "document is not well-formed XML", node: nil))
        }
        return document
    }
}

/// Receives libxml2 parser errors; the user data is the parser context.
private let parserErrorHandler: xmlStructuredErrorFunc = { userData, error in
    guard let error, let collector = XMLErrorCollector.from(parserContext: userData) else { return }
    collector.record(error)
}

/// Called when the parser meets `<!DOCTYPE …`: records it and stops before the internal subset.
private let doctypeHandler: internalSubsetSAXFunc = { context, _, _, _ in
    guard let context, let collector = XMLErrorCollector.from(parserContext: context) else { return }
    collector.doctypeLine = Int(xmlSAX2GetLineNumber(context))
    xmlStopParser(context.assumingMemoryBound(to: xmlParserCtxt.self))
}

/// Converts the libxml2 tree to `ParsedElement`s, pairing elements with scanned start tags.
private struct TreeBuilder {
    let path: String
    let document: xmlDocPtr
    let startTags: [StartTagScanner.Position]
    /// Locations already known by node, used before the scanned start tags.
    var known: [UnsafeMutableRawPointer: SourceLocation] = [:]
    var next = 0
    var locations: [UnsafeMutableRawPointer: SourceLocation] = [:]

    mutating func element(_ node: xmlNodePtr) -> ParsedElement {
        let location: SourceLocation
        if let knownLocation = known[UnsafeMutableRawPointer(node)] {
            location = knownLocation
        } else if next < startTags.count {
            location = SourceLocation(file: path, line: startTags[next].line, column: startTags[next].column)
        } else {
            location = SourceLocation(file: path, line: max(Int(xmlGetLineNo(node)), 1))
        }
        next += 1
        locations[UnsafeMutableRawPointer(node)] = location

        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = LibXML2.string(current.pointee.name)
            if let value = xmlNodeListGetString(document, current.pointee.children, 1) {
                attributes[name] = String(cString: value)
                conveyor_xml_free(value)
            } else {
                attributes[name] = ""
            }
            attribute = current.pointee.next
        }

        var text = ""
        var children: [ParsedElement] = []
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(element(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                text += LibXML2.string(current.pointee.content)
            default:
                break
            }
            child = current.pointee.next
        }
        return ParsedElement(name: LibXML2.string(node.pointee.name), attributes: attributes,
                             text: text.trimmingWhitespace(), children: children, location: location)
    }
}
