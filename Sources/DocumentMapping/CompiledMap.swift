import ProcessModel

/// A map ready to transform documents: paths parsed, functions resolved, target types known.
///
/// Compile once per map and apply to each document. ``apply(to:context:)`` builds the
/// target document rule by rule:
/// - `<mapping from to>` copies every value `from` selects. `*` segments map element-wise:
///   `/items/*/sku` → `/lines/*/code` writes element *i* of the source array to element *i*
///   of the target array, creating objects and arrays as needed. When the target has fewer
///   `*` than the source, the extra matches are gathered into an array
///   (`/items/*/sku` → `/skus`). A `from` that selects nothing writes nothing.
/// - `<function>` children apply in order to the current value.
/// - `<default to value>` writes its value where the target is still missing or null.
/// - Values are converted to the type the target profile declares at the target path
///   (text `"42"` → INT64 `42`, a number → STRING `"42"`); one that cannot be converted fails.
/// - The result is checked with ``ProfileValidator`` against the target profile.
public struct CompiledMap: Sendable {
    /// The map's id.
    public let id: String
    let rules: [CompiledRule]
    let defaults: [CompiledDefault]
    let validator: ProfileValidator

    /// Compiles `map`, looking its `from` and `to` profiles up in `profiles` by id.
    public init(map: MapDefinition, profiles: [String: ProfileDefinition]) throws(MappingError) {
        func definitionError(_ location: SourceLocation, _ message: String) -> MappingError {
            MappingError(mapID: map.id, location: location, message: message, kind: .definition)
        }
        guard profiles[map.fromProfile] != nil else {
            throw definitionError(map.location, "unknown profile '\(map.fromProfile)' in 'from'")
        }
        guard let target = profiles[map.toProfile] else {
            throw definitionError(map.location, "unknown profile '\(map.toProfile)' in 'to'")
        }
        let validator = ProfileValidator(profile: target)
        if let problem = validator.profileDiagnostics.first {
            throw definitionError(problem.location, "profile '\(target.id)': \(problem.message)")
        }
        id = map.id
        self.validator = validator
        var rules: [CompiledRule] = []
        for rule in map.mappings {
            rules.append(try CompiledRule(rule, shape: validator.shape, mapID: map.id))
        }
        self.rules = rules
        var defaults: [CompiledDefault] = []
        for entry in map.defaults {
            defaults.append(try CompiledDefault(entry, shape: validator.shape, mapID: map.id))
        }
        self.defaults = defaults
    }

    /// Maps `source` to a document of the target profile.
    ///
    /// Throws a `.conversion` or `.function` error for the first value that fails, and a
    /// `.validation` error listing every violation of the target profile.
    public func apply(to source: JSONValue, context: MapContext) throws(MappingError) -> JSONValue {
        var output = JSONValue.object(JSONObject())
        for rule in rules {
            try rule.apply(source: source, output: &output, context: context, mapID: id)
        }
        for entry in defaults {
            entry.target.write(entry.value, into: &output, onlyIfEmpty: true)
        }
        let violations = validator.validate(output)
        if !violations.isEmpty {
            throw MappingError(mapID: id, location: nil, message: violations.map(\.description).joined(separator: "; "),
                               kind: .validation, violations: violations)
        }
        return output
    }
}

/// A `<default>` with its value already converted to the target type.
struct CompiledDefault: Sendable {
    let target: DocumentPath
    let value: JSONValue

    init(_ entry: MapDefault, shape: ProfileShape, mapID: String) throws(MappingError) {
        do throws(PathError) {
            target = try DocumentPath(entry.to)
        } catch {
            throw MappingError(mapID: mapID, location: entry.location, message: "default: \(error)", kind: .definition)
        }
        let conversion = TargetConversion(shape.lookup(target))
        guard let converted = conversion.convert(.string(entry.value)) else {
            throw MappingError(mapID: mapID, location: entry.location,
                               message: "default for \(entry.to): cannot convert \"\(entry.value)\" to \(conversion.typeName)",
                               kind: .definition)
        }
        value = converted
    }
}
