import ProcessModel

/// A `<mapping>` with its paths parsed, functions resolved and target conversion chosen.
struct CompiledRule: Sendable {
    let source: DocumentPath?
    let target: DocumentPath
    let functions: [MapFunction]
    let conversion: TargetConversion
    let location: SourceLocation
    /// How many leading source wildcards bind target wildcards; the rest are gathered into arrays.
    let boundWildcards: Int
    let sourceWildcards: Int

    init(_ rule: MappingRule, shape: ProfileShape, mapID: String) throws(MappingError) {
        func fail(_ message: String) -> MappingError {
            MappingError(mapID: mapID, location: rule.location, message: message, kind: .definition)
        }
        do throws(PathError) {
            source = try rule.from.map { text throws(PathError) in try DocumentPath(text) }
            target = try DocumentPath(rule.to)
        } catch {
            throw fail("mapping: \(error)")
        }
        location = rule.location
        sourceWildcards = source?.wildcardCount ?? 0
        boundWildcards = target.wildcardCount
        if boundWildcards > sourceWildcards {
            throw fail("target path '\(rule.to)' has \(boundWildcards) '*' but the source has \(sourceWildcards); "
                       + "each target '*' needs a source '*' to follow")
        }
        var functions: [MapFunction] = []
        for (position, call) in rule.functions.enumerated() {
            functions.append(try MapFunction(call, hasInput: source != nil || position > 0, mapID: mapID))
        }
        self.functions = functions
        conversion = TargetConversion(shape.lookup(target))
    }

    func apply(source document: JSONValue, output: inout JSONValue, context: MapContext,
               mapID: String) throws(MappingError) {
        var inputs: [(indices: [Int], value: JSONValue?)]
        if let source {
            inputs = source.matches(in: document).map { (indices: $0.indices, value: $0.value) }
            // A single missing value still reaches functions such as `default`, which may supply one.
            if inputs.isEmpty, sourceWildcards == 0, !functions.isEmpty { inputs = [(indices: [], value: nil)] }
        } else {
            inputs = [(indices: [], value: nil)]
        }
        var gathered: [[Int]: [JSONValue]] = [:]
        var groupOrder: [[Int]] = []
        for match in inputs {
            var current = match.value
            for (position, function) in functions.enumerated() {
                current = try function.evaluate(current, hasInput: source != nil || position > 0, source: document,
                                                indices: match.indices, context: context, mapID: mapID)
            }
            guard let value = current else { continue }
            if boundWildcards == sourceWildcards {
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

    private func write(_ value: JSONValue, indices: [Int], into output: inout JSONValue,
                       mapID: String) throws(MappingError) {
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
