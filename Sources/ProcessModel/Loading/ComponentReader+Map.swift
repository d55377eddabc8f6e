extension ComponentReader {
    /// Checks profile options the schema cannot express.
    mutating func checkOptions(_ options: [String: String], type: ProfileDefinition.ProfileType,
                               at root: ParsedElement) {
        switch type {
        case .xml:
            if (options["root"] ?? "").isEmpty {
                report("an xml profile needs a 'root' attribute naming the document's root element", at: root)
            }
        case .csv:
            for name in ["delimiter", "quote"] {
                if let value = options[name], value.unicodeScalars.count != 1 || !value.allSatisfy(\.isASCII) {
                    report("'\(name)' of a csv profile must be one ASCII character, not '\(value)'", at: root)
                }
            }
        case .json, .bigQueryTable:
            break
        }
        if type != .csv {
            for name in ["delimiter", "header", "quote"] where options[name] != nil {
                report("'\(name)' is used only in csv profiles", at: root)
            }
        }
        if type != .xml, options["root"] != nil {
            report("'root' is used only in xml profiles", at: root)
        }
    }

    /// Reads a `<lookup id>` table.
    mutating func lookup(_ element: ParsedElement) -> MapLookup {
        var entries: [String: String] = [:]
        for entry in element.children {
            guard entry.name == "entry" else {
                report("unknown element <\(entry.name)> in a <lookup>; use <entry key value>", at: entry)
                continue
            }
            let key = entry.attribute("key") ?? ""
            if entries[key] != nil {
                report("lookup '\(element.attribute("id") ?? "")' has the key '\(key)' twice", at: entry)
                continue
            }
            entries[key] = entry.attribute("value") ?? ""
        }
        return MapLookup(id: element.attribute("id") ?? "", entries: entries, location: element.location)
    }

    /// Checks each function of a mapping against its ``MapFunctionSpec``.
    mutating func checkMapping(_ rule: MappingRule, at element: ParsedElement) {
        let calls = element.children(named: "function")
        for (position, call) in calls.enumerated() {
            let name = call.attribute("name") ?? ""
            guard let spec = MapFunctionSpec.named(name) else {
                let known = MapFunctionSpec.all.map(\.name).joined(separator: ", ")
                report("unknown function '\(name)'; known functions: \(known)", at: call)
                continue
            }
            for attribute in spec.required where (call.attribute(attribute) ?? "").isEmpty {
                report("function '\(name)' needs a '\(attribute)' attribute", at: call)
            }
            if !spec.oneOf.isEmpty, !spec.oneOf.contains(where: { call.attribute($0) != nil }) {
                let names = spec.oneOf.map { "'\($0)'" }.joined(separator: " or ")
                report("function '\(name)' needs \(names)", at: call)
            }
            let allowed = Set(spec.required + spec.optional + ["name"])
            for attribute in call.attributes.keys.sorted() where !allowed.contains(attribute) {
                let names = (spec.required + spec.optional).map { "'\($0)'" }.joined(separator: ", ")
                report("function '\(name)' has no attribute '\(attribute)'"
                       + (names.isEmpty ? "" : "; it takes \(names)"), at: call)
            }
            let hasInput = rule.from != nil || position > 0
            let operands = call.children(named: "arg").count + (hasInput ? 1 : 0)
            if operands < spec.minimumOperands {
                let needed = spec.minimumOperands == 1 ? "a value: a mapping 'from' or an <arg>"
                    : "\(spec.minimumOperands) operands: the mapped value and <arg>s, or <arg>s alone"
                report("function '\(name)' needs \(needed)", at: call)
            }
            if spec.setsProperty == false, position == calls.count - 1, rule.to.isEmpty {
                report("a <mapping> without 'to' must end with set-document-property or set-process-property",
                       at: element)
            }
        }
        if calls.isEmpty, rule.to.isEmpty {
            report("a <mapping> needs 'to' (or a final set-document-property / set-process-property function)",
                   at: element)
        }
    }

    /// Reports `lookup` functions naming tables the map does not define.
    mutating func checkLookupReferences(_ map: MapDefinition, in root: ParsedElement) {
        let tables = Set(map.lookups.map(\.id))
        for mapping in root.children(named: "mapping") {
            for call in mapping.children(named: "function") where call.attribute("name") == "lookup" {
                if let table = call.attribute("table"), !table.isEmpty, !tables.contains(table) {
                    report("function 'lookup' refers to missing lookup table '\(table)' in map '\(map.id)'", at: call)
                }
            }
        }
    }
}
