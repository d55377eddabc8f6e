import Foundation
internal import CLibXML2

/// A compiled XSD; owns the libxml2 schema and frees it on deinit.
final class XMLSchema {
    private let pointer: xmlSchemaPtr
    /// Every element name the schema declares, to tell misspelt elements from misplaced ones.
    let declaredElements: Set<String>

    /// Compiles the schema in `bytes`; throws with the first libxml2 message when it is invalid.
    init(bytes: [UInt8]) throws(SchemaLoadError) {
        LibXML2.prepare()
        let collector = XMLErrorCollector()
        let unmanaged = Unmanaged.passRetained(collector)
        defer { unmanaged.release() }
        let compiled: xmlSchemaPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars -> xmlSchemaPtr? in
                guard let base = chars.baseAddress,
                      let context = xmlSchemaNewMemParserCtxt(base, Int32(clamping: chars.count)) else { return nil }
                defer { xmlSchemaFreeParserCtxt(context) }
                xmlSchemaSetParserStructuredErrors(context, schemaErrorHandler, unmanaged.toOpaque())
                return xmlSchemaParse(context)
            }
        }
        guard let compiled else {
            throw SchemaLoadError(message: collector.errors.first?.message ?? "the schema could not be compiled")
        }
        pointer = compiled
        declaredElements = XMLSchema.elementNames(in: bytes)
    }

    deinit { xmlSchemaFree(pointer) }

    /// Validates a parsed document; returns every violation libxml2 reports.
    func validate(_ document: XMLDocument) -> [XMLError] {
        LibXML2.prepare()
        guard let context = xmlSchemaNewValidCtxt(pointer) else {
            return [XMLError(line: 1, column: 1, message: "cannot create a schema validation context", node: nil)]
        }
        defer { xmlSchemaFreeValidCtxt(context) }
        let collector = XMLErrorCollector()
        let unmanaged = Unmanaged.passRetained(collector)
        defer { unmanaged.release() }
        xmlSchemaSetValidStructuredErrors(context, schemaErrorHandler, unmanaged.toOpaque())
        let result = xmlSchemaValidateDoc(context, document.pointer)
        if result != 0, collector.errors.isEmpty {
            return [XMLError(line: 1, column: 1, message: "the document does not match its schema", node: nil)]
        }
        return collector.errors
    }

    /// Validates a document and reports every violation, not only those before the first
    /// unexpected element.
    ///
    /// libxml2 stops checking an element's content at the first child it does not expect;
    /// each such child is detached and the document validated again (at most `passes` times),
    /// keeping each distinct error once.
    func validateAll(_ document: XMLDocument, passes: Int = 16) -> [XMLError] {
        var all: [XMLError] = []
        var seen: Set<XMLError> = []
        for _ in 0..<passes {
            let errors = validate(document)
            for error in errors where seen.insert(error).inserted {
                all.append(error)
            }
            var detachedAny = false
            for error in errors where error.message.contains("This element is not expected") {
                if let node = error.node, document.detach(node) { detachedAny = true }
            }
            if !detachedAny { break }
        }
        return all
    }

    /// Loads the schema for a component kind.
    static func load(_ kind: ComponentKind) throws(SchemaLoadError) -> XMLSchema {
        try load(named: kind.schemaName)
    }

    /// Loads the schema `Schemas/<resource>.xsd`, from the copy the binary carries
    /// (``EmbeddedSchemas``): a `conveyor` copied anywhere needs no resource folder next to it.
    static func load(named resource: String) throws(SchemaLoadError) -> XMLSchema {
        let name = resource + ".xsd"
        guard let text = EmbeddedSchemas.texts[resource] else {
            throw SchemaLoadError(message: "schema \(name) is missing from this build")
        }
        do {
            return try XMLSchema(bytes: Array(text.utf8))
        } catch {
            throw SchemaLoadError(message: "schema \(name) is invalid: \(error.message)")
        }
    }

    /// The names of the schema's `<xs:element name="…">` declarations, found in its bytes (a
    /// search over `String` costs more than compiling the schema).
    static func elementNames(in bytes: [UInt8]) -> Set<String> {
        var names: Set<String> = []
        let marker = Array(#"<xs:element name=""#.utf8)
        bytes.withUnsafeBufferPointer { text in
            var index = 0
            while index + marker.count <= text.count {
                guard let lessThan = text[index...].firstIndex(of: UInt8(ascii: "<")) else { break }
                index = lessThan
                guard index + marker.count <= text.count, text[index..<(index + marker.count)].elementsEqual(marker) else {
                    index += 1
                    continue
                }
                let start = index + marker.count
                guard let end = text[start...].firstIndex(of: UInt8(ascii: "\"")) else { break }
                names.insert(String(decoding: text[start..<end], as: UTF8.self))
                index = end
            }
        }
        return names
    }
}

/// A bundled schema could not be loaded (a broken installation, not a user error).
struct SchemaLoadError: Error, Sendable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Receives schema parser and validation errors; the user data is the collector itself.
private let schemaErrorHandler: xmlStructuredErrorFunc = { userData, error in
    guard let error, let collector = XMLErrorCollector.from(userData: userData) else { return }
    collector.record(error)
}
