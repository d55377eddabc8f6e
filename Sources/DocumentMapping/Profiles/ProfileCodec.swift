import ProcessModel

/// Reads documents of a profile into the tree maps use (``JSONValue``) and writes trees back.
///
/// All profile types share one tree, so paths work the same for every format:
/// - **json**, **bigquery-table**: the JSON document itself, checked against the profile.
/// - **xml**: an object with one member named after the root element, so `/order/id` reads
///   `<order><id>…`. An element becomes its text, typed by the profile (`number` → a number,
///   `boolean` → `true`/`false`); an element with child elements or attributes becomes an object
///   whose attributes are members named `@name` (`/order/@currency`) and whose own text, when it
///   has children or attributes too, is `#text`. Elements declared `maxOccurs="unbounded"` or
///   `type="array"` are always arrays (`/order/item/*/sku`); undeclared elements that occur more
///   than once become arrays too. DOCTYPE declarations are refused; entities are never expanded.
/// - **csv**: an array of records, one object per row with the columns as members, so
///   `/*/qty` addresses every row and `/0/qty` the first. With `header="true"` (the default) the
///   first row names the columns and columns are matched by name; otherwise by position.
///   An empty field is null (a violation when the column is `required`).
///
/// Reading checks types and required elements and names the document and path of each problem.
public struct ProfileCodec: Sendable {
    let profile: ProfileDefinition
    let shape: ProfileShape
    let validator: ProfileValidator

    /// The profile's id.
    public var profileID: String { profile.id }

    /// Prepares reading and writing for `profile`.
    public init(profile: ProfileDefinition) {
        self.profile = profile
        validator = ProfileValidator(profile: profile)
        shape = validator.shape
    }

    /// Problems in the profile itself (unknown types); such elements accept any value.
    public var profileDiagnostics: [Diagnostic] { validator.profileDiagnostics }

    /// Whether documents of this profile are JSON (json and bigquery-table profiles).
    public var isJSON: Bool { profile.type == .json || profile.type == .bigQueryTable }

    /// Checks an already parsed JSON document against this profile (types, required elements).
    public func check(_ value: JSONValue, documentIndex: Int? = nil) throws(DocumentReadError) {
        let violations = validator.validate(value)
        guard violations.isEmpty else {
            throw DocumentReadError(documentIndex: documentIndex, profileID: profile.id, violations: violations)
        }
    }

    /// Reads `bytes` as a document of this profile; `documentIndex` is only used in messages.
    public func read(_ bytes: [UInt8], documentIndex: Int? = nil) throws(DocumentReadError) -> JSONValue {
        var violations: [ProfileViolation] = []
        let value: JSONValue
        switch profile.type {
        case .json, .bigQueryTable:
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                throw DocumentReadError(documentIndex: documentIndex, profileID: profile.id,
                                        violations: [ProfileViolation(path: "/", message: "not valid JSON: \(error)")])
            }
            violations = validator.validate(value)
        case .xml:
            value = readXML(bytes, violations: &violations)
        case .csv:
            value = readCSV(bytes, violations: &violations)
        }
        guard violations.isEmpty else {
            throw DocumentReadError(documentIndex: documentIndex, profileID: profile.id, violations: violations)
        }
        return value
    }

    /// Writes `value` in this profile's format: compact JSON, XML (escaped, UTF-8 declaration) or CSV
    /// (header when `header` is not false; fields quoted when they hold the delimiter, quote or a line break).
    public func write(_ value: JSONValue) throws(DocumentWriteError) -> [UInt8] {
        switch profile.type {
        case .json, .bigQueryTable:
            return value.serialized()
        case .xml:
            return try writeXML(value)
        case .csv:
            return writeCSV(value)
        }
    }

    /// Converts the text of an XML element or CSV field to the field's type, recording a violation when it does not fit.
    func typed(_ text: String, field: FieldShape, path: String, violations: inout [ProfileViolation]) -> JSONValue {
        switch field.kind {
        case .number, .int64, .float64, .numeric, .bigNumeric:
            guard let number = NumberText.normalized(text) else {
                violations.append(ProfileViolation(path: path, message: "'\(text)' is not a number"))
                return .string(text)
            }
            if field.kind == .int64, !NumberText.isIntegerLiteral(number) {
                violations.append(ProfileViolation(path: path, message: "'\(text)' is not a whole number"))
            }
            return .number(number)
        case .boolean, .bool:
            switch Substring(text).trimmingASCIIWhitespace().lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default:
                violations.append(ProfileViolation(path: path, message: "'\(text)' is not a boolean"))
                return .string(text)
            }
        case .datetime:
            if let pattern = field.datePattern, pattern.parse(text) == nil {
                violations.append(ProfileViolation(path: path,
                    message: "'\(text)' is not a datetime in format '\(pattern.pattern)'"))
            }
            return .string(text)
        default:
            return .string(text)
        }
    }
}
