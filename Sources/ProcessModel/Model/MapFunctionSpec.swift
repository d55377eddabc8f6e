/// What a map function accepts: the attributes it requires and allows, and how many operands it needs.
///
/// The loader checks every `<function>` against ``MapFunctionSpec/all`` so an unknown name, a missing
/// attribute or a misspelt one is a validation error with the file and line.
public struct MapFunctionSpec: Sendable, Hashable {
    /// The function's `name`.
    public var name: String
    /// Attributes that must be present (besides `name`).
    public var required: [String]
    /// Attributes that may be present (besides `name` and `required`).
    public var optional: [String]
    /// Operands needed, counting the mapped value flowing in and each `<arg>`.
    public var minimumOperands: Int
    /// When set, at least one of these attributes must be present.
    public var oneOf: [String]

    init(_ name: String, required: [String] = [], optional: [String] = [], minimumOperands: Int = 0,
         oneOf: [String] = []) {
        self.name = name
        self.required = required
        self.optional = optional
        self.minimumOperands = minimumOperands
        self.oneOf = oneOf
    }

    /// Every map function, in the order the documentation lists them.
    public static let all: [MapFunctionSpec] = [
        MapFunctionSpec("concat", optional: ["separator"]),
        MapFunctionSpec("substring", optional: ["start", "length"], minimumOperands: 1),
        MapFunctionSpec("uppercase", minimumOperands: 1),
        MapFunctionSpec("lowercase", minimumOperands: 1),
        MapFunctionSpec("trim", minimumOperands: 1),
        MapFunctionSpec("replace", required: ["pattern"], optional: ["replacement"], minimumOperands: 1),
        MapFunctionSpec("date-format", required: ["outputFormat"], optional: ["inputFormat", "timeZone"],
                        minimumOperands: 1),
        MapFunctionSpec("current-date", optional: ["format", "timeZone"]),
        MapFunctionSpec("number-format", optional: ["pattern", "decimals"], minimumOperands: 1,
                        oneOf: ["pattern", "decimals"]),
        MapFunctionSpec("add", minimumOperands: 2),
        MapFunctionSpec("subtract", minimumOperands: 2),
        MapFunctionSpec("multiply", minimumOperands: 2),
        MapFunctionSpec("divide", minimumOperands: 2),
        MapFunctionSpec("round", optional: ["scale"], minimumOperands: 1),
        MapFunctionSpec("lookup", required: ["table"], optional: ["default"], minimumOperands: 1),
        MapFunctionSpec("default", optional: ["value"]),
        MapFunctionSpec("coalesce", optional: ["value"]),
        MapFunctionSpec("sequence", optional: ["start", "step"]),
        MapFunctionSpec("count", minimumOperands: 1),
        MapFunctionSpec("sum", minimumOperands: 1),
        MapFunctionSpec("get-document-property", required: ["property"]),
        MapFunctionSpec("set-document-property", required: ["property"], minimumOperands: 1),
        MapFunctionSpec("get-process-property", required: ["property"]),
        MapFunctionSpec("set-process-property", required: ["property"], minimumOperands: 1),
    ]

    /// The spec of the function called `name`, if there is one.
    public static func named(_ name: String) -> MapFunctionSpec? {
        all.first { $0.name == name }
    }

    /// Whether the function writes a property (and may end a mapping without `to`).
    public var setsProperty: Bool { name == "set-document-property" || name == "set-process-property" }
}
