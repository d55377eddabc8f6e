/// One workspace file going through parsing, schema validation, substitution and reading.
struct ComponentFile {
    let path: String
    let bytes: [UInt8]
    /// Problems found in this file.
    private(set) var diagnostics: [Diagnostic] = []

    init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    /// Loads the component in this file and adds it to `components`, validating it against its schema.
    mutating func load(schemas: inout SchemaCatalog, substitution: inout Substitution,
                       into components: inout LoadedComponents, extensions: EnvironmentExtensions? = nil) {
        var noCache: SchemaValidationCache?
        load(schemas: &schemas, substitution: &substitution, into: &components, extensions: extensions, cache: &noCache)
    }

    /// Loads the component in this file and adds it to `components`; validation against the
    /// schema is skipped when `cache` knows the file passed it.
    mutating func load(schemas: inout SchemaCatalog, substitution: inout Substitution,
                       into components: inout LoadedComponents, extensions: EnvironmentExtensions? = nil,
                       cache: inout SchemaValidationCache?) {
        let document: XMLDocument
        switch XMLDocument.parse(bytes, path: path) {
        case .success(let parsed): document = parsed
        case .failure(let error):
            diagnostics += error.diagnostics
            return
        }
        var root = document.root
        guard let kind = ComponentKind(rawValue: root.name) else {
            diagnostics.append(Diagnostic(root.location,
                "unknown root element <\(root.name)>; expected one of: \(ComponentKind.rootNames)"))
            return
        }
        if let extensions {
            diagnostics += extensions.apply(to: document, kind: kind)
            root = document.root
        }
        // A file that passed this schema before, byte for byte, is not validated again (an
        // extensions file changes the document: no cache then).
        let digest = extensions == nil ? cache?.digest(kind: kind, bytes: bytes) : nil
        if let digest, cache?.passedBefore(digest) == true {
            cache?.record(digest)
        } else {
            guard validate(document, as: kind, schemas: &schemas) else {
                if let id = root.attribute("id") { components.invalidIDs.insert(id) }
                return
            }
            if let digest { cache?.record(digest) }
        }
        substitution.apply(to: &root, diagnostics: &diagnostics)
        var reader = ComponentReader()
        switch kind {
        case .process: components.processes.append(reader.process(root))
        case .connection: components.connections.append(reader.connection(root))
        case .operation: components.operations.append(reader.operation(root))
        case .profile: components.profiles.append(reader.profile(root))
        case .map: components.maps.append(reader.map(root))
        case .trackedFields: components.trackedFields += reader.trackedFields(root)
        }
        diagnostics += reader.diagnostics
    }

    /// Checks `document` against the schema of `kind`, adding each violation to ``diagnostics``;
    /// false when the file has any problem.
    private mutating func validate(_ document: XMLDocument, as kind: ComponentKind, schemas: inout SchemaCatalog) -> Bool {
        let schema: XMLSchema
        do {
            schema = try schemas.schema(for: kind)
        } catch {
            diagnostics.append(Diagnostic(document.root.location, error.message))
            return false
        }
        var previous: SchemaMessage?
        var previousNode: UnsafeMutableRawPointer?
        for error in schema.validateAll(document) {
            let message = SchemaMessage(error.message)
            defer { (previous, previousNode) = (message, error.node) }
            if message.isAtomicTypeEcho, previous?.isFacet == true, previousNode == error.node { continue }
            let location = document.location(ofNode: error.node)
                ?? SourceLocation(file: path, line: max(error.line, 1), column: max(error.column, 1))
            diagnostics.append(Diagnostic(location, message.rewritten(declaredElements: schema.declaredElements)))
        }
        return diagnostics.isEmpty
    }
}
