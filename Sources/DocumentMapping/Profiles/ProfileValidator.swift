import ProcessModel

/// Checks documents against a profile and lists every mismatch.
///
/// json, xml and csv profiles use the element types `character` (a string), `number`,
/// `boolean`, `datetime` (a string, in the element's `format` when one is given), `object`
/// and `array` (whose child elements describe each item, an object); `required="true"`
/// makes a missing or null member a violation.
///
/// bigquery-table profiles use BigQuery types and modes as the streaming API accepts them:
/// INT64 and NUMERIC values may be numbers or numeric strings, BOOL may be `"true"`/`"false"`,
/// TIMESTAMP a date-time string or epoch seconds, DATE `YYYY-MM-DD`, TIME `HH:MM:SS[.ffffff]`,
/// BYTES base64, JSON anything; RECORD/STRUCT fields are checked recursively, REPEATED fields
/// must be arrays without nulls, and a REQUIRED field may be neither missing nor null.
///
/// Members the profile does not declare are accepted unless `rejectsUndeclaredFields` is set.
public struct ProfileValidator: Sendable {
    let shape: ProfileShape
    /// Whether members the profile does not declare are violations.
    public var rejectsUndeclaredFields: Bool
    /// Problems in the profile itself (unknown types or modes); such elements accept any value.
    public let profileDiagnostics: [Diagnostic]

    /// Prepares a validator for `profile`.
    public init(profile: ProfileDefinition, rejectsUndeclaredFields: Bool = false) {
        var diagnostics: [Diagnostic] = []
        shape = ProfileShape(profile, diagnostics: &diagnostics)
        profileDiagnostics = diagnostics
        self.rejectsUndeclaredFields = rejectsUndeclaredFields
    }

    /// Every violation of the profile in `value`, in document order; empty when the document matches.
    ///
    /// A csv document is an array of records (or one record, an object), each checked against the columns.
    public func validate(_ value: JSONValue) -> [ProfileViolation] {
        var violations: [ProfileViolation] = []
        if shape.isRecords, case .array(let records) = value {
            for (index, record) in records.enumerated() {
                guard case .object(let object) = record else {
                    violations.append(ProfileViolation(path: "/" + String(index),
                                                       message: "expected a record (object), found \(record.brief)"))
                    continue
                }
                checkMembers(of: object, against: shape.fields, path: "/" + String(index), into: &violations)
            }
            return violations
        }
        guard case .object(let object) = value else {
            violations.append(ProfileViolation(path: "/", message: "expected an object, found \(value.brief)"))
            return violations
        }
        checkMembers(of: object, against: shape.fields, path: "", into: &violations)
        return violations
    }

    private func checkMembers(of object: JSONObject, against fields: [FieldShape], path: String,
                              into violations: inout [ProfileViolation]) {
        for field in fields {
            let fieldPath = path + "/" + field.name
            let member = object[field.name]
            guard let member, !member.isNull else {
                if field.required {
                    let problem = member == nil ? "required field is missing" : "required field is null"
                    violations.append(ProfileViolation(path: fieldPath, message: problem))
                }
                continue
            }
            if field.repeated {
                guard case .array(let elements) = member else {
                    violations.append(ProfileViolation(path: fieldPath,
                        message: "expected an array of \(field.typeName) (REPEATED), found \(member.brief)"))
                    continue
                }
                for (index, element) in elements.enumerated() {
                    let elementPath = fieldPath + "/" + String(index)
                    if element.isNull {
                        violations.append(ProfileViolation(path: elementPath, message: "REPEATED field cannot hold null"))
                    } else {
                        check(element, against: field, path: elementPath, into: &violations)
                    }
                }
            } else {
                check(member, against: field, path: fieldPath, into: &violations)
            }
        }
        if rejectsUndeclaredFields {
            for key in object.keys where !fields.contains(where: { $0.name == key }) {
                violations.append(ProfileViolation(path: path + "/" + key,
                    message: "field is not declared in profile '\(shape.profileID)'"))
            }
        }
    }

    private func check(_ value: JSONValue, against field: FieldShape, path: String,
                       into violations: inout [ProfileViolation]) {
        switch field.kind {
        case .object, .record:
            guard case .object(let object) = value else {
                violations.append(ProfileViolation(path: path, message: "expected \(expected(field)), found \(value.brief)"))
                return
            }
            checkMembers(of: object, against: field.children, path: path, into: &violations)
        case .array:
            guard case .array(let elements) = value else {
                violations.append(ProfileViolation(path: path, message: "expected an array, found \(value.brief)"))
                return
            }
            guard !field.children.isEmpty else { return }
            for (index, element) in elements.enumerated() {
                let elementPath = path + "/" + String(index)
                guard case .object(let object) = element else {
                    violations.append(ProfileViolation(path: elementPath, message: "expected an object, found \(element.brief)"))
                    continue
                }
                checkMembers(of: object, against: field.children, path: elementPath, into: &violations)
            }
        default:
            if !field.kind.accepts(value) {
                violations.append(ProfileViolation(path: path, message: "expected \(expected(field)), found \(value.brief)"))
            } else if let pattern = field.datePattern, case .string(let text) = value, pattern.parse(text) == nil {
                violations.append(ProfileViolation(path: path,
                    message: "expected datetime in format '\(pattern.pattern)', found \(value.brief)"))
            }
        }
    }

    private func expected(_ field: FieldShape) -> String {
        switch field.kind {
        case .object: return "an object"
        case .record: return "a \(field.typeName) (object)"
        default: return field.typeName
        }
    }
}
