import ProcessModel

/// One element of a profile, resolved for checking and converting values.
struct FieldShape: Sendable {
    var name: String
    var kind: ValueKind
    /// The type as shown in messages: `INT64`, `character`, …
    var typeName: String
    /// `required="true"` or BigQuery mode `REQUIRED`.
    var required: Bool
    /// BigQuery mode `REPEATED`: the value is an array of `kind`.
    var repeated: Bool
    var children: [FieldShape]
    /// The pattern of a datetime element, when declared.
    var datePattern: DatePattern?
}

/// Where a path lands in a profile: on a whole field, or on one element of an array field.
enum ShapeLookup {
    case field(FieldShape)
    case element(FieldShape)
}

/// A profile resolved into a tree of ``FieldShape`` values.
///
/// An xml profile becomes one required object field named after its `root`, whose children
/// are the declared elements and `@`-prefixed attributes (see ``ProfileCodec``). A csv
/// profile's fields are its columns, describing each record of the document's array.
struct ProfileShape: Sendable {
    var profileID: String
    var type: ProfileDefinition.ProfileType
    var bigQuery: Bool
    var fields: [FieldShape]

    /// Whether documents are arrays of records described by `fields` (csv).
    var isRecords: Bool { type == .csv }

    /// Resolves `profile`, reporting unknown types and modes as diagnostics (those elements accept any value).
    init(_ profile: ProfileDefinition, diagnostics: inout [Diagnostic]) {
        profileID = profile.id
        type = profile.type
        bigQuery = profile.type == .bigQueryTable
        if profile.type == .xml {
            let children = ProfileShape.resolveXML(profile.elements, diagnostics: &diagnostics)
            fields = [FieldShape(name: profile.options["root"] ?? "", kind: .object, typeName: "object", required: true,
                                 repeated: false, children: children, datePattern: nil)]
        } else {
            fields = ProfileShape.resolve(profile.elements, bigQuery: bigQuery, diagnostics: &diagnostics)
        }
    }

    /// Resolves xml elements: attributes become `@name` fields; a scalar element with attributes
    /// becomes an object holding them and its text as `#text`; repeating elements become arrays.
    private static func resolveXML(_ elements: [ProfileElement], diagnostics: inout [Diagnostic]) -> [FieldShape] {
        elements.map { element in
            var kind = ValueKind(typeName: element.type, bigQuery: false) ?? .json
            if ValueKind(typeName: element.type, bigQuery: false) == nil {
                diagnostics.append(Diagnostic(element.location,
                    "unknown type '\(element.type)' for '\(element.name)'; expected one of \(ValueKind.knownNames(bigQuery: false))"))
            }
            let children = resolveXML(element.children, diagnostics: &diagnostics)
            var repeated = element.repeats
            if kind == .array {
                repeated = true
                kind = children.isEmpty ? .character : .object
            }
            if kind == .character, children.contains(where: { !$0.name.hasPrefix("@") }) { kind = .object }
            let pattern = element.format.flatMap { kind == .datetime ? DatePattern($0) : nil }
            let name = element.isAttribute ? "@" + element.name : element.name
            if !kind.hasChildren, !children.isEmpty {
                let text = FieldShape(name: "#text", kind: kind, typeName: kind.profileName, required: element.required,
                                      repeated: false, children: [], datePattern: pattern)
                return FieldShape(name: name, kind: .object, typeName: "object", required: element.required,
                                  repeated: repeated, children: children + [text], datePattern: nil)
            }
            return FieldShape(name: name, kind: kind, typeName: kind.profileName, required: element.required,
                              repeated: repeated, children: children, datePattern: pattern)
        }
    }

    private static func resolve(_ elements: [ProfileElement], bigQuery: Bool,
                                diagnostics: inout [Diagnostic]) -> [FieldShape] {
        elements.map { element in
            let kind = ValueKind(typeName: element.type, bigQuery: bigQuery)
            if kind == nil {
                diagnostics.append(Diagnostic(element.location,
                    "unknown type '\(element.type)' for '\(element.name)'; expected one of \(ValueKind.knownNames(bigQuery: bigQuery))"))
            }
            var required = element.required
            var repeated = false
            if let mode = element.mode {
                switch mode.uppercased() {
                case "NULLABLE": break
                case "REQUIRED": required = true
                case "REPEATED": repeated = true
                default:
                    diagnostics.append(Diagnostic(element.location,
                        "unknown mode '\(mode)' for '\(element.name)'; expected NULLABLE, REQUIRED or REPEATED"))
                }
            }
            // An unknown type is reported above; its values are then accepted as they are.
            let resolvedKind = kind ?? .json
            let children = resolve(element.children, bigQuery: bigQuery, diagnostics: &diagnostics)
            let typeName = bigQuery ? element.type.uppercased() : element.type.lowercased()
            var pattern: DatePattern?
            if let format = element.format, resolvedKind == .datetime { pattern = DatePattern(format) }
            return FieldShape(name: element.name, kind: resolvedKind,
                              typeName: typeName, required: required, repeated: repeated, children: children,
                              datePattern: pattern)
        }
    }

    /// The profile element a path addresses, if the profile declares it.
    func lookup(_ path: DocumentPath) -> ShapeLookup? {
        var current: ShapeLookup?
        var segments = path.segments[...]
        if isRecords, let first = segments.first {
            // `/*/column` and `/2/column` address records; `/column` a document of one record.
            if first == .wildcard { segments = segments.dropFirst() }
            if case .key(let key) = first, Int(key) != nil { segments = segments.dropFirst() }
        }
        for segment in segments {
            let isIndex: Bool
            switch segment {
            case .wildcard: isIndex = true
            case .key(let key): isIndex = current.map(Self.isArrayField) == true && Int(key) != nil
            }
            if isIndex {
                guard case .field(let field) = current, field.repeated || field.kind == .array else { return nil }
                current = .element(field)
                continue
            }
            guard case .key(let key) = segment else { return nil }
            let candidates: [FieldShape]
            switch current {
            case nil: candidates = fields
            case .field(let field):
                guard !field.repeated, field.kind.hasChildren else { return nil }
                candidates = field.children
            case .element(let field):
                guard field.kind.hasChildren || field.kind == .array else { return nil }
                candidates = field.children
            }
            guard let match = candidates.first(where: { $0.name == key }) else { return nil }
            current = .field(match)
        }
        return current
    }

    private static func isArrayField(_ lookup: ShapeLookup) -> Bool {
        if case .field(let field) = lookup { return field.repeated || field.kind == .array }
        return false
    }
}
