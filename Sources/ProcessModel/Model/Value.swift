/// One source of a string value (`<value source="…"/>`).
public enum ValueSource: Sendable, Hashable {
    case literal(String)
    /// `source="profile" path="/a/b"`: an element of the current document.
    case profile(path: String)
    /// `source="document" property="name"`: a dynamic document property.
    case documentProperty(String)
    /// `source="process" property="name"`: a process property.
    case processProperty(String)
    /// `source="execution" field="id|processId|processName|startTime|trigger"`.
    case execution(ExecutionField)
    /// `source="date" format="…"`: the current time in a date pattern.
    case currentDate(format: String)
    /// `source="env" name="VAR"`: an environment variable, read when the value is evaluated.
    case environment(String)
}

/// Fields of the running execution that a value can read.
public enum ExecutionField: String, Sendable, Hashable, CaseIterable {
    case id, processId, processName, startTime, trigger
}

/// A value: one or more sources concatenated left to right.
public struct ValueDefinition: Sendable, Hashable {
    public var parts: [ValueSource]
    public var location: SourceLocation

    public init(parts: [ValueSource], location: SourceLocation) {
        self.parts = parts
        self.location = location
    }
}

extension ValueSource {
    /// Reads a `<value source="…">` element of an operation's settings the way process values are read.
    public static func parse(_ element: SettingsElement) -> Result<ValueSource, Diagnostic> {
        let source = element.attributes["source"] ?? ""
        func required(_ attribute: String) -> Result<String, Diagnostic> {
            if let value = element.attributes[attribute], !value.isEmpty { return .success(value) }
            return .failure(Diagnostic(element.location, "<value source=\"\(source)\"> needs a '\(attribute)' attribute"))
        }
        switch source {
        case "static": return .success(.literal(element.attributes["value"] ?? element.text))
        case "profile": return required("path").map { .profile(path: $0) }
        case "document": return required("property").map { .documentProperty($0) }
        case "process": return required("property").map { .processProperty($0) }
        case "env": return required("name").map { .environment($0) }
        case "date": return .success(.currentDate(format: element.attributes["format"] ?? "yyyy-MM-dd'T'HH:mm:ssXXX"))
        case "execution":
            return required("field").flatMap { field in
                guard let known = ExecutionField(rawValue: field) else {
                    return .failure(Diagnostic(element.location, "unknown execution field '\(field)'"))
                }
                return .success(.execution(known))
            }
        default:
            return .failure(Diagnostic(element.location, "unknown value source '\(source)'"))
        }
    }
}
