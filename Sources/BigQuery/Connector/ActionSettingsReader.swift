import ConveyorBase
import Foundation
import ProcessEngine
import ProcessModel

/// Reads the settings of one operation, collecting every problem with its location.
struct ActionSettingsReader {
    let operation: OperationDefinition
    var problems = SettingsProblems()

    init(_ operation: OperationDefinition) { self.operation = operation }

    private var settings: SettingsElement { operation.settings }

    private func location(_ name: String) -> SourceLocation {
        settings.child(name)?.location ?? settings.location
    }

    /// An interpolated text setting; nil when absent (a problem when `required`).
    mutating func interpolated(_ name: String, required: Bool) -> InterpolatedText? {
        guard let value = settings.text(of: name), !value.isEmpty else {
            if required {
                problems.add(settings.location, "operation '\(operation.id)' (\(operation.action)) needs a <\(name)>")
            }
            return nil
        }
        do { return try InterpolatedText(value) } catch {
            problems.add(location(name), "<\(name)>: \(error)")
            return nil
        }
    }

    /// A plain text setting, or nil when absent or empty.
    func text(_ name: String) -> String? {
        guard let value = settings.text(of: name), !value.isEmpty else { return nil }
        return value
    }

    /// A `true`/`false` setting; `defaultValue` when absent.
    mutating func flag(_ name: String, default defaultValue: Bool = false) -> Bool {
        guard let element = settings.child(name) else { return defaultValue }
        guard let value = SettingValues.bool(element.text) else {
            problems.add(element.location, "<\(name)> must be true or false, not '\(element.text)'")
            return defaultValue
        }
        return value
    }

    /// A whole number setting within `range`.
    mutating func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) -> Int {
        guard let element = settings.child(name) else { return defaultValue }
        guard let value = Int(element.text), range.contains(value) else {
            problems.add(element.location, "<\(name)> must be a whole number from \(range.lowerBound) to "
                         + "\(range.upperBound), not '\(element.text)'")
            return defaultValue
        }
        return value
    }

    /// A duration setting (`500ms`, `10s`, `5m`, `1h`); `-1` gives nil (no limit).
    mutating func duration(_ name: String, default defaultValue: Duration) -> Duration? {
        guard let element = settings.child(name) else { return defaultValue }
        guard let parsed = SettingValues.duration(element.text) else {
            problems.add(element.location, "<\(name)> '\(element.text)' is not a duration (like 500ms, 10s, 5m, 1h, or -1)")
            return defaultValue
        }
        return parsed
    }

    /// One of a fixed set of words.
    mutating func choice<T>(_ name: String, _ options: [(String, T)], default defaultValue: T) -> T {
        guard let element = settings.child(name) else { return defaultValue }
        if let match = options.first(where: { $0.0 == element.text }) { return match.1 }
        problems.add(element.location, "<\(name)> must be one of \(options.map(\.0).joined(separator: ", ")), "
                     + "not '\(element.text)'")
        return defaultValue
    }

    /// The `<projectId>` override, or the connection's project as a constant.
    mutating func project(default defaultProject: String) -> InterpolatedText? {
        if let project = interpolated("projectId", required: false) { return project }
        let escaped = BraceTemplate.escaped(defaultProject)
        guard let text = try? InterpolatedText(escaped) else {
            problems.add(settings.location, "project id '\(defaultProject)' is not valid")
            return nil
        }
        return text
    }
}
