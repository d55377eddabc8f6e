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
///   A target ending in `*` with fewer `*` than the source flattens: `/orders/*/items/*/sku` →
///   `/skus/*` writes every sku into one array.
/// - A mapping whose first function is `count` or `sum` receives all values its `*` source
///   selects (per binding of the target's `*`), so `/items/*/qty` → `/total` with `sum` adds them.
/// - Where both profiles declare a datetime `format` and they differ, a mapping without
///   functions converts the text from the source format to the target format.
/// - The result is checked with ``ProfileValidator`` against the target profile.
///
/// `sequence` counters live as long as the compiled map (and its copies); compile a map once per
/// execution, or call ``resetSequences()``, for per-execution numbering.
public struct CompiledMap: Sendable {
    /// The map's id.
    public let id: String
    let rules: [CompiledRule]
    let defaults: [CompiledDefault]
    let validator: ProfileValidator
    let sequences: SequenceCounters
    /// Reads documents of the map's source profile (json, xml, csv or bigquery-table).
    public let sourceCodec: ProfileCodec
    /// Writes mapped documents in the target profile's format.
    public let targetCodec: ProfileCodec
    /// The byte-level path, when the map and its profiles allow it (see ``FastJSONMap``); decided once here.
    public let fastPath: FastJSONMap?

    /// Compiles `map`, looking its `from` and `to` profiles up in `profiles` by id.
    public init(map: MapDefinition, profiles: [String: ProfileDefinition]) throws(MappingError) {
        func definitionError(_ location: SourceLocation, _ message: String) -> MappingError {
            MappingError(mapID: map.id, location: location, message: message, kind: .definition)
        }
        guard let sourceProfile = profiles[map.fromProfile] else {
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
        sourceCodec = ProfileCodec(profile: sourceProfile)
        targetCodec = ProfileCodec(profile: target)
        var lookups: [String: MapLookup] = [:]
        for lookup in map.lookups { lookups[lookup.id] = lookup }
        var setup = CompiledRule.Setup(target: validator.shape, source: sourceCodec.shape, lookups: lookups, mapID: map.id)
        var rules: [CompiledRule] = []
        for rule in map.mappings {
            rules.append(try CompiledRule(rule, setup: &setup))
        }
        self.rules = rules
        sequences = SequenceCounters(count: setup.sequenceSlots)
        var defaults: [CompiledDefault] = []
        for entry in map.defaults {
            defaults.append(try CompiledDefault(entry, shape: validator.shape, mapID: map.id))
        }
        self.defaults = defaults
        fastPath = FastJSONMap(rules: rules, hasDefaults: !defaults.isEmpty, source: sourceCodec, target: targetCodec)
    }

    /// Whether a function reads dynamic document properties (the caller must put them in the ``MapContext``).
    public var readsDocumentProperties: Bool {
        rules.contains { rule in
            rule.functions.contains { if case .documentProperty = $0.body { return true } else { return false } }
        }
    }

    /// Maps `source` to a document of the target profile.
    ///
    /// Throws a `.conversion` or `.function` error for the first value that fails, and a
    /// `.validation` error listing every violation of the target profile.
    /// Properties written by `set-document-property` / `set-process-property` are dropped; use
    /// ``apply(to:context:documentIndex:)`` to receive them.
    public func apply(to source: JSONValue, context: MapContext) throws(MappingError) -> JSONValue {
        try apply(to: source, context: context, documentIndex: nil).value
    }

    /// Maps `source` and returns the mapped document with the properties the map set.
    ///
    /// `documentIndex`, when given, prefixes error messages (`document 3: map 'm': …`).
    public func apply(to source: JSONValue, context: MapContext,
                      documentIndex: Int?) throws(MappingError) -> MapResult {
        var state = MapState(documentIndex: documentIndex)
        var output = JSONValue.object(JSONObject())
        do throws(MappingError) {
            for rule in rules {
                try rule.apply(source: source, output: &output, context: context, state: &state,
                               sequences: sequences, mapID: id)
            }
        } catch {
            var located = error
            located.documentIndex = documentIndex
            throw located
        }
        for entry in defaults {
            entry.target.write(entry.value, into: &output, onlyIfEmpty: true)
        }
        let violations = validator.validate(output)
        if !violations.isEmpty {
            throw MappingError(mapID: id, location: nil, message: violations.map(\.description).joined(separator: "; "),
                               kind: .validation, violations: violations, documentIndex: documentIndex)
        }
        return MapResult(value: output, documentProperties: state.documentProperties,
                         processProperties: state.processProperties)
    }

    /// Reads `bytes` with the source profile, maps them, and writes the result with the target profile.
    ///
    /// This is what a map shape does for one document: the returned bytes replace the document,
    /// the result's properties are applied by the caller.
    public func transform(_ bytes: [UInt8], context: MapContext,
                          documentIndex: Int?) throws -> (bytes: [UInt8], result: MapResult) {
        let source = try sourceCodec.read(bytes, documentIndex: documentIndex)
        let result = try apply(to: source, context: context, documentIndex: documentIndex)
        return (bytes: try targetCodec.write(result.value), result: result)
    }

    /// Starts every `sequence` of the map again at its `start`.
    public func resetSequences() {
        sequences.reset()
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
