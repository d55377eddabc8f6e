extension ComponentReader {
    /// Reads a `<profile>` root element.
    mutating func profile(_ root: ParsedElement) -> ProfileDefinition {
        let type = ProfileDefinition.ProfileType(rawValue: root.attribute("type") ?? "") ?? .json
        var options: [String: String] = [:]
        for name in ["delimiter", "header", "quote", "root"] {
            if let value = root.attribute(name) { options[name] = value }
        }
        checkOptions(options, type: type, at: root)
        return ProfileDefinition(id: root.attribute("id") ?? "", type: type,
                                 elements: profileElements(in: root, type: type),
                                 options: options, location: root.location)
    }

    private mutating func profileElements(in parent: ParsedElement,
                                          type: ProfileDefinition.ProfileType) -> [ProfileElement] {
        let allowed: Set<String>
        switch type {
        case .json: allowed = ["element"]
        case .xml: allowed = ["element", "attribute"]
        case .csv: allowed = ["column"]
        case .bigQueryTable: allowed = ["field"]
        }
        var elements: [ProfileElement] = []
        for child in parent.children {
            guard allowed.contains(child.name) else {
                let names = allowed.sorted().map { "<\($0)>" }.joined(separator: " or ")
                report("<\(child.name)> is not used in a \(type.rawValue) profile; use \(names)", at: child)
                continue
            }
            let mode = type == .bigQueryTable ? (child.attribute("mode") ?? "NULLABLE") : nil
            var element = ProfileElement(
                name: child.attribute("name") ?? "",
                type: child.attribute("type") ?? (type == .bigQueryTable ? "STRING" : "character"),
                required: child.bool("required", default: false) || mode == "REQUIRED",
                mode: mode,
                format: child.attribute("format"),
                children: profileElements(in: child, type: type),
                location: child.location
            )
            element.isAttribute = child.name == "attribute"
            if let maxOccurs = child.attribute("maxOccurs") {
                if type != .xml {
                    report("'maxOccurs' is used only in xml profiles; use type=\"array\"", at: child)
                } else if maxOccurs == "unbounded" {
                    element.repeats = true
                } else if let count = Int(maxOccurs), count >= 1 {
                    element.repeats = count > 1
                } else {
                    report("maxOccurs must be a whole number ≥ 1 or 'unbounded', not '\(maxOccurs)'", at: child)
                }
            }
            if element.isAttribute && !child.children.isEmpty {
                report("an <attribute> has no children", at: child)
            }
            elements.append(element)
        }
        return elements
    }

    /// Reads a `<map>` root element.
    mutating func map(_ root: ParsedElement) -> MapDefinition {
        var mappings: [MappingRule] = []
        var defaults: [MapDefault] = []
        var lookups: [MapLookup] = []
        for child in root.children {
            switch child.name {
            case "mapping":
                let functions = child.children(named: "function").map { mapFunction($0) }
                let rule = MappingRule(from: child.attribute("from"), to: child.attribute("to") ?? "",
                                       functions: functions, location: child.location)
                checkMapping(rule, at: child)
                mappings.append(rule)
            case "default":
                defaults.append(MapDefault(to: child.attribute("to") ?? "", value: child.attribute("value") ?? "",
                                           location: child.location))
            case "lookup":
                lookups.append(lookup(child))
            default:
                report("unknown element <\(child.name)> in a map", at: child)
            }
        }
        var definition = MapDefinition(id: root.attribute("id") ?? "", fromProfile: root.attribute("from") ?? "",
                                       toProfile: root.attribute("to") ?? "", mappings: mappings,
                                       defaults: defaults, location: root.location)
        definition.lookups = lookups
        checkLookupReferences(definition, in: root)
        return definition
    }

    private mutating func mapFunction(_ element: ParsedElement) -> MapFunctionCall {
        var attributes = element.attributes
        attributes["name"] = nil
        var arguments: [MapFunctionArgument] = []
        for arg in element.children(named: "arg") {
            if let path = arg.attribute("from") {
                arguments.append(.path(path))
            } else if let literal = arg.attribute("value") {
                arguments.append(.literal(literal))
            } else {
                report("<arg> needs a 'from' or a 'value' attribute", at: arg)
            }
        }
        return MapFunctionCall(name: element.attribute("name") ?? "", attributes: attributes,
                               arguments: arguments, location: element.location)
    }

    /// Reads a `<trackedFields>` root element.
    mutating func trackedFields(_ root: ParsedElement) -> [TrackedFieldDefinition] {
        root.children(named: "field").compactMap { field in
            guard let type = TrackedFieldDefinition.FieldType(rawValue: field.attribute("type") ?? "") else {
                report("tracked field type must be character, number or datetime", at: field)
                return nil
            }
            return TrackedFieldDefinition(name: field.attribute("name") ?? "", type: type, location: field.location)
        }
    }
}
