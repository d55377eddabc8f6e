/// How values written at one target path are converted to the profile's declared type.
enum TargetConversion: Sendable {
    /// The profile does not declare the path, or declares a container: values are kept.
    case none
    /// A single value of this kind.
    case scalar(ValueKind, typeName: String)
    /// An array (BigQuery REPEATED) whose elements have this kind.
    case elements(ValueKind, typeName: String)

    init(_ lookup: ShapeLookup?) {
        switch lookup {
        case nil: self = .none
        case .field(let field):
            if field.repeated {
                self = field.kind.hasChildren ? .none : .elements(field.kind, typeName: field.typeName)
            } else if field.kind.hasChildren || field.kind == .array || field.kind == .json {
                self = .none
            } else {
                self = .scalar(field.kind, typeName: field.typeName)
            }
        case .element(let field):
            if field.repeated && !field.kind.hasChildren && field.kind != .json {
                self = .scalar(field.kind, typeName: field.typeName)
            } else {
                self = .none
            }
        }
    }

    /// The declared type, for messages.
    var typeName: String {
        switch self {
        case .none: return "the declared type"
        case .scalar(_, let name), .elements(_, let name): return name
        }
    }

    /// The converted value, or nil when it cannot be converted.
    func convert(_ value: JSONValue) -> JSONValue? {
        switch self {
        case .none: return value
        case .scalar(let kind, _): return kind.convert(value)
        case .elements(let kind, _):
            guard case .array(let elements) = value else { return kind.convert(value) }
            var converted: [JSONValue] = []
            converted.reserveCapacity(elements.count)
            for element in elements {
                guard let item = kind.convert(element) else { return nil }
                converted.append(item)
            }
            return .array(converted)
        }
    }
}
