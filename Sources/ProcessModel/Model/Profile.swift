/// A document profile (`<profile id type>`): the shape of documents of one kind.
public struct ProfileDefinition: Sendable, Hashable {
    public enum ProfileType: String, Sendable, Hashable {
        case json, xml, csv
        case bigQueryTable = "bigquery-table"
    }

    public var id: String
    public var type: ProfileType
    /// `<element>` (json/xml), `<column>` (csv) or `<field>` (bigquery-table) children, in order.
    public var elements: [ProfileElement]
    /// CSV options and XML root, when given (`delimiter`, `header`, `quote`, `root`).
    public var options: [String: String]
    public var location: SourceLocation

    public init(id: String, type: ProfileType, elements: [ProfileElement], options: [String: String] = [:],
                location: SourceLocation) {
        self.id = id
        self.type = type
        self.elements = elements
        self.options = options
        self.location = location
    }
}

/// One element of a profile.
///
/// For json/xml/csv profiles `type` is `character|number|boolean|datetime|object|array`;
/// for bigquery-table profiles it is the BigQuery type (`STRING`, `INT64`, `RECORD`, …)
/// and `mode` is `NULLABLE|REQUIRED|REPEATED`.
public struct ProfileElement: Sendable, Hashable {
    public var name: String
    public var type: String
    public var required: Bool
    /// BigQuery field mode; nil for non-BigQuery profiles.
    public var mode: String?
    /// Date pattern of a datetime element (`yyyy-MM-dd'T'HH:mm:ssXXX`).
    public var format: String?
    public var children: [ProfileElement]
    /// True for an `<attribute>` of an XML profile (an XML attribute rather than a child element).
    public var isAttribute: Bool = false
    /// True for an XML element declared with `maxOccurs="unbounded"` (or a number above 1):
    /// its occurrences form an array even when there is only one.
    public var repeats: Bool = false
    public var location: SourceLocation

    public init(name: String, type: String, required: Bool = false, mode: String? = nil, format: String? = nil,
                children: [ProfileElement] = [], location: SourceLocation) {
        self.name = name
        self.type = type
        self.required = required
        self.mode = mode
        self.format = format
        self.children = children
        self.location = location
    }
}

/// A map (`<map id from to>`): transforms documents of one profile into another.
public struct MapDefinition: Sendable, Hashable {
    public var id: String
    public var fromProfile: String
    public var toProfile: String
    public var mappings: [MappingRule]
    public var defaults: [MapDefault]
    /// `<lookup id>` tables used by the `lookup` function.
    public var lookups: [MapLookup] = []
    public var location: SourceLocation

    public init(id: String, fromProfile: String, toProfile: String, mappings: [MappingRule],
                defaults: [MapDefault] = [], location: SourceLocation) {
        self.id = id
        self.fromProfile = fromProfile
        self.toProfile = toProfile
        self.mappings = mappings
        self.defaults = defaults
        self.location = location
    }
}

/// `<lookup id>` with `<entry key value/>` children: a static table of a map.
public struct MapLookup: Sendable, Hashable {
    public var id: String
    /// Key → value; a repeated key is reported when loading and keeps its first value.
    public var entries: [String: String]
    public var location: SourceLocation

    public init(id: String, entries: [String: String], location: SourceLocation) {
        self.id = id
        self.entries = entries
        self.location = location
    }
}

/// `<mapping from to>` with optional `<function>` children applied in order.
public struct MappingRule: Sendable, Hashable {
    /// Source path; nil when the value comes only from functions.
    public var from: String?
    /// Target path; empty when the mapping only sets properties (its last function is `set-*-property`).
    public var to: String
    public var functions: [MapFunctionCall]
    public var location: SourceLocation

    public init(from: String?, to: String, functions: [MapFunctionCall] = [], location: SourceLocation) {
        self.from = from
        self.to = to
        self.functions = functions
        self.location = location
    }
}

/// `<function name …>` with its attributes and `<arg from|value>` children.
public struct MapFunctionCall: Sendable, Hashable {
    public var name: String
    /// Attributes other than `name` (e.g. `format`, `from`, `to`).
    public var attributes: [String: String]
    public var arguments: [MapFunctionArgument]
    public var location: SourceLocation

    public init(name: String, attributes: [String: String] = [:], arguments: [MapFunctionArgument] = [],
                location: SourceLocation) {
        self.name = name
        self.attributes = attributes
        self.arguments = arguments
        self.location = location
    }
}

/// `<arg from="/path"/>` or `<arg value="literal"/>`.
public enum MapFunctionArgument: Sendable, Hashable {
    case path(String)
    case literal(String)
}

/// `<default to value>`: a value written when the target is otherwise empty.
public struct MapDefault: Sendable, Hashable {
    public var to: String
    public var value: String
    public var location: SourceLocation

    public init(to: String, value: String, location: SourceLocation) {
        self.to = to
        self.value = value
        self.location = location
    }
}
