import ConveyorBase
import Foundation
import ProcessEngine
import ProcessModel

/// Reads the settings `run-job` and `upsert-data` share, collecting problems with their locations.
struct JobSettingsReader {
    let operation: OperationDefinition
    var problems = SettingsProblems()

    init(_ operation: OperationDefinition) {
        self.operation = operation
    }

    var settings: SettingsElement { operation.settings }

    func location(of name: String) -> SourceLocation { settings.child(name)?.location ?? settings.location }

    /// An interpolated text setting; nil when absent or empty.
    mutating func text(_ name: String, required: Bool = false) -> InterpolatedText? {
        guard let value = settings.text(of: name), !value.isEmpty else {
            if required { problems.add(settings.location, "operation '\(operation.id)' needs a <\(name)>") }
            return nil
        }
        do { return try InterpolatedText(value) } catch {
            problems.add(location(of: name), "<\(name)>: \(error)")
            return nil
        }
    }

    /// An SQL text setting: like ``text(_:required:)``, but document properties (`{name}`), which
    /// carry data from outside, are refused, so that no document value is ever spliced into SQL;
    /// they go in `<parameter>` values (`@name`) instead. `{process:…}` and `{execution:…}` are allowed.
    mutating func sqlText(_ name: String, required: Bool = false) -> InterpolatedText? {
        guard let text = text(name, required: required) else { return nil }
        guard let property = text.documentPropertyNames.first else { return text }
        problems.add(location(of: name), "<\(name)> reads the document property {\(property)}: document values "
            + "are never spliced into SQL; pass it as a <parameter> and write @\(property) in the SQL instead")
        return nil
    }

    /// A `true`/`false` setting.
    mutating func flag(_ name: String, default value: Bool = false) -> Bool {
        guard let element = settings.child(name) else { return value }
        guard let parsed = SettingValues.bool(element.text) else {
            problems.add(element.location, "<\(name)> must be true or false, not '\(element.text)'")
            return value
        }
        return parsed
    }

    /// One of `allowed` (compared upper-cased); nil when absent.
    mutating func choice(_ name: String, _ allowed: [String]) -> String? {
        guard let element = settings.child(name), !element.text.isEmpty else { return nil }
        let value = element.text.uppercased()
        guard allowed.contains(value) else {
            problems.add(element.location, "<\(name)> must be one of \(allowed.joined(separator: ", ")), not '\(element.text)'")
            return nil
        }
        return value
    }

    /// The `<timeout>`: a duration, `-1` for no limit (nil), `fallback` when absent.
    mutating func timeout(default fallback: Duration) -> Duration? {
        guard let element = settings.child("timeout") else { return fallback }
        guard let parsed = SettingValues.duration(element.text) else {
            problems.add(element.location, "<timeout> '\(element.text)' is not a duration (like 30s, 10m, 1h) or -1")
            return fallback
        }
        return parsed
    }

    /// The project: the `<projectId>` override or the connection's, as an interpolated text.
    mutating func project(default defaultProject: String) -> InterpolatedText? {
        if let project = text("projectId") { return project }
        let escaped = BraceTemplate.escaped(defaultProject)
        guard !defaultProject.isEmpty, let text = try? InterpolatedText(escaped) else {
            problems.add(settings.location, "operation '\(operation.id)' has no project: set <projectId> on the connection or here")
            return nil
        }
        return text
    }

    static let writeDispositions = ["WRITE_TRUNCATE", "WRITE_APPEND", "WRITE_EMPTY"]
    static let createDispositions = ["CREATE_IF_NEEDED", "CREATE_NEVER"]
}
