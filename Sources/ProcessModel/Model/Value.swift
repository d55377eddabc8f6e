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
