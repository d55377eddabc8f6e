/// The compiled XSDs of one load, compiled on first use.
struct SchemaCatalog {
    private var schemas: [ComponentKind: XMLSchema] = [:]

    /// The schema of a component kind.
    mutating func schema(for kind: ComponentKind) throws(SchemaLoadError) -> XMLSchema {
        if let schema = schemas[kind] { return schema }
        let schema = try XMLSchema.load(kind)
        schemas[kind] = schema
        return schema
    }
}
