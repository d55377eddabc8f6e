import ProcessModel

/// A `<mapping>` with its paths parsed, functions resolved and target conversion chosen.
struct CompiledRule: Sendable {
    let source: DocumentPath?
    /// Where values are written; nil for a mapping that only sets properties.
    let target: DocumentPath?
    let functions: [MapFunction]
    let conversion: TargetConversion
    let location: SourceLocation
    /// How many leading source wildcards bind target wildcards; the rest are gathered into arrays.
    let boundWildcards: Int
    let sourceWildcards: Int
    /// Whether the first function aggregates (count, sum): it receives each group of gathered values.
    let aggregates: Bool
    /// Source and target datetime patterns when both profiles declare different ones.
    let dateConversion: (from: DatePattern, to: DatePattern)?

    struct Setup {
        var target: ProfileShape
        var source: ProfileShape
        var lookups: [String: MapLookup]
        var mapID: String
        var sequenceSlots = 0
    }

    init(_ rule: MappingRule, setup: inout Setup) throws(MappingError) {
        let mapID = setup.mapID
        func fail(_ message: String) -> MappingError {
            MappingError(mapID: mapID, location: rule.location, message: message, kind: .definition)
        }
        var target: DocumentPath?
        do throws(PathError) {
            source = try rule.from.map { text throws(PathError) in try DocumentPath(text) }
            target = rule.to.isEmpty ? nil : try DocumentPath(rule.to)
        } catch {
            throw fail("mapping: \(error)")
        }
        location = rule.location
        sourceWildcards = source?.wildcardCount ?? 0
        var bound = target?.wildcardCount ?? 0
        // `/orders/*/items/*/sku` → `/skus/*`: a trailing `*` gathers every remaining match into one flat array.
        if let path = target, path.segments.last == .wildcard, bound < sourceWildcards {
            target = DocumentPath(segments: Array(path.segments.dropLast()))
            bound -= 1
        }
        boundWildcards = bound
        self.target = target
        if boundWildcards > sourceWildcards {
            throw fail("target path '\(rule.to)' has \(boundWildcards) '*' but the source has \(sourceWildcards); "
                       + "each target '*' needs a source '*' to follow")
        }
        var functions: [MapFunction] = []
        for (position, call) in rule.functions.enumerated() {
            functions.append(try MapFunction(call, hasInput: source != nil || position > 0, mapID: mapID,
                                             lookups: setup.lookups, sequenceSlots: &setup.sequenceSlots))
        }
        if target == nil, functions.last.map({ if case .setDocumentProperty = $0.body { return true }
                                                if case .setProcessProperty = $0.body { return true }
                                                return false }) != true {
            throw fail("a mapping without 'to' must end with set-document-property or set-process-property")
        }
        self.functions = functions
        aggregates = functions.first?.aggregates ?? false
        conversion = target.map { TargetConversion(setup.target.lookup($0)) } ?? .none
        if functions.isEmpty, let source, let target,
           case .field(let from)? = setup.source.lookup(source), let fromPattern = from.datePattern,
           case .field(let to)? = setup.target.lookup(target), let toPattern = to.datePattern,
           fromPattern.pattern != toPattern.pattern {
            dateConversion = (from: fromPattern, to: toPattern)
        } else {
            dateConversion = nil
        }
    }

    func apply(source document: JSONValue, output: inout JSONValue, context: MapContext, state: inout MapState,
               sequences: SequenceCounters, mapID: String) throws(MappingError) {
        var inputs: [(indices: [Int], value: JSONValue?)]
        if let source {
            inputs = source.matches(in: document).map { (indices: $0.indices, value: $0.value) }
            if aggregates, sourceWildcards > boundWildcards {
                inputs = CompiledRule.grouped(inputs, bound: boundWildcards)
            } else if inputs.isEmpty, sourceWildcards == 0 || aggregates, !functions.isEmpty {
                // A missing value still reaches functions such as `default` or `count`, which may supply one.
                inputs = [(indices: [], value: nil)]
            }
        } else {
            inputs = [(indices: [], value: nil)]
        }
        let gathers = !aggregates && boundWildcards < sourceWildcards
        var gathered: [[Int]: [JSONValue]] = [:]
        var groupOrder: [[Int]] = []
        for match in inputs {
            var current = match.value
            if let dateConversion, let value = current, case .string(let text) = value {
                guard let date = dateConversion.from.parse(text) else {
                    throw MappingError(mapID: mapID, location: location,
                                       message: "\(value.brief) is not a datetime in format '\(dateConversion.from.pattern)'",
                                       kind: .conversion)
                }
                current = .string(dateConversion.to.format(date))
            }
            for (position, function) in functions.enumerated() {
                current = try function.evaluate(current, hasInput: source != nil || position > 0, source: document,
                                                indices: match.indices, context: context, state: &state,
                                                sequences: sequences, mapID: mapID)
            }
            guard let value = current, target != nil else { continue }
            if !gathers {
                try write(value, indices: match.indices, into: &output, mapID: mapID)
            } else {
                let key = Array(match.indices.prefix(boundWildcards))
                if gathered[key] == nil { groupOrder.append(key) }
                gathered[key, default: []].append(value)
            }
        }
        for key in groupOrder {
            try write(.array(gathered[key] ?? []), indices: key, into: &output, mapID: mapID)
        }
    }

    /// Matches gathered into one array per binding of the first `bound` wildcards, in document order.
    private static func grouped(_ inputs: [(indices: [Int], value: JSONValue?)],
                                bound: Int) -> [(indices: [Int], value: JSONValue?)] {
        if inputs.isEmpty && bound == 0 { return [(indices: [], value: .array([]))] }
        var groups: [[Int]: [JSONValue]] = [:]
        var order: [[Int]] = []
        for input in inputs {
            let key = Array(input.indices.prefix(bound))
            if groups[key] == nil { order.append(key) }
            if let value = input.value { groups[key, default: []].append(value) }
        }
        return order.map { (indices: $0, value: .array(groups[$0] ?? [])) }
    }

    private func write(_ value: JSONValue, indices: [Int], into output: inout JSONValue,
                       mapID: String) throws(MappingError) {
        guard let target else { return }
        guard let converted = conversion.convert(value) else {
            throw MappingError(mapID: mapID, location: location,
                               message: "\(target.concreteText(indices)): cannot convert \(value.brief) to \(conversion.typeName)",
                               kind: .conversion)
        }
        target.write(converted, into: &output, indices: indices)
    }
}

extension DocumentPath {
    /// The path's text with its wildcards replaced by `indices` in order.
    func concreteText(_ indices: [Int]) -> String {
        guard !segments.isEmpty else { return "/" }
        var remaining = indices[...]
        var text = ""
        for segment in segments {
            switch segment {
            case .key(let key): text += "/" + key
            case .wildcard:
                if let index = remaining.popFirst() { text += "/" + String(index) } else { text += "/*" }
            }
        }
        return text
    }
}
