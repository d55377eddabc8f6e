import ConveyorBase
import Foundation
import DocumentMapping
import ProcessEngine
import ProcessModel

/// The settings of a `run-job` operation.
struct RunJobSettings: Sendable {
    /// The kind of job built from settings.
    enum JobType: String, Sendable, CaseIterable {
        case query, load, copy, extract
    }

    var projectID: InterpolatedText
    /// Nil when the operation only runs Job resources that documents carry.
    var jobType: JobType?
    var query: InterpolatedText?
    var parameters: [QueryParameter]
    var destinationTable: InterpolatedText?
    var writeDisposition: String?
    var createDisposition: String?
    var useLegacySQL: Bool
    var location: String?
    /// How long to wait for the job; nil waits until it ends.
    var timeout: Duration?
    var sourceURIs: [InterpolatedText]
    var sourceFormat: String?
    /// The load schema as JSON (`{"fields": […]}`).
    var schema: JSONValue?
    var sourceTable: InterpolatedText?
    var destinationURIs: [InterpolatedText]
    var destinationFormat: String?
    var returnApplicationErrors: Bool

    static let defaultTimeout = Duration.seconds(3600)

    static func parse(_ operation: OperationDefinition, defaultProject: String,
                      defaultLocation: String?) -> Result<Self, SettingsProblems> {
        var reader = JobSettingsReader(operation)
        let project = reader.project(default: defaultProject)
        var jobType: JobType?
        if let element = reader.settings.child("jobType") {
            jobType = JobType(rawValue: element.text.lowercased())
            if jobType == nil {
                reader.problems.add(element.location, "<jobType> must be query, load, copy or extract, not '\(element.text)'")
            }
        } else if reader.settings.child("query") != nil {
            jobType = .query
        }
        let query = reader.sqlText("query", required: jobType == .query)
        let destination = reader.text("destinationTable", required: jobType == .load || jobType == .copy)
        let sourceTable = reader.text("sourceTable", required: jobType == .copy || jobType == .extract)
        let sourceURIs = list(&reader, "sourceUris", required: jobType == .load)
        let destinationURIs = list(&reader, "destinationUris", required: jobType == .extract)
        var schema: JSONValue?
        if let element = reader.settings.child("schema"), !element.text.isEmpty {
            switch try? JSONParser.parse(element.text) {
            case .array(let fields)?: schema = ["fields": .array(fields)]
            case .object(let object)? where object["fields"] != nil: schema = .object(object)
            default: reader.problems.add(element.location, "<schema> must be a JSON array of fields or {\"fields\": […]}")
            }
        }
        var parameters: [QueryParameter] = []
        for element in reader.settings.children(named: "parameter") {
            guard let name = element.attributes["name"] else {
                reader.problems.add(element.location, "a run-job <parameter> needs a name attribute (used as @name in the query)")
                continue
            }
            guard name.wholeMatch(of: /[A-Za-z_][A-Za-z0-9_]*/) != nil else {
                reader.problems.add(element.location, "parameter name '\(name)' must be letters, digits and '_'")
                continue
            }
            let typeText = element.attributes["type"] ?? "STRING"
            guard let type = QueryParameter.ParameterType(typeText) else {
                reader.problems.add(element.location, "parameter '\(name)': '\(typeText)' is not a GoogleSQL type "
                    + "(INT64, STRING, NUMERIC, BOOL, FLOAT64, DATE, TIMESTAMP, … or ARRAY<…>)")
                continue
            }
            var parts: [ValueSource] = []
            for child in element.children(named: "value") {
                switch ValueSource.parse(child) {
                case .success(let source): parts.append(source)
                case .failure(let diagnostic): reader.problems.diagnostics.append(diagnostic)
                }
            }
            parameters.append(QueryParameter(name: name, type: type,
                                             value: ValueDefinition(parts: parts, location: element.location)))
        }
        let write = reader.choice("writeDisposition", JobSettingsReader.writeDispositions)
        let create = reader.choice("createDisposition", JobSettingsReader.createDispositions)
        let legacy = reader.flag("useLegacySql")
        let timeout = reader.timeout(default: defaultTimeout)
        let returnErrors = reader.flag("returnApplicationErrors")
        let location = reader.settings.text(of: "location").flatMap { $0.isEmpty ? nil : $0 } ?? defaultLocation
        guard reader.problems.isEmpty, let project else { return .failure(reader.problems) }
        return .success(Self(projectID: project, jobType: jobType, query: query, parameters: parameters,
                             destinationTable: destination, writeDisposition: write, createDisposition: create,
                             useLegacySQL: legacy, location: location, timeout: timeout, sourceURIs: sourceURIs,
                             sourceFormat: reader.settings.text(of: "sourceFormat").map { $0.uppercased() },
                             schema: schema, sourceTable: sourceTable, destinationURIs: destinationURIs,
                             destinationFormat: reader.settings.text(of: "destinationFormat").map { $0.uppercased() },
                             returnApplicationErrors: returnErrors))
    }

    /// URIs from every `<name>` element, each holding one or more separated by commas or new lines.
    private static func list(_ reader: inout JobSettingsReader, _ name: String, required: Bool) -> [InterpolatedText] {
        var result: [InterpolatedText] = []
        for element in reader.settings.children(named: name) {
            for item in element.text.split(whereSeparator: { $0 == "," || $0.isNewline }) {
                let trimmed = item.trimming(.whitespaces)
                guard !trimmed.isEmpty else { continue }
                do { result.append(try InterpolatedText(trimmed)) } catch {
                    reader.problems.add(element.location, "<\(name)>: \(error)")
                }
            }
        }
        if required, result.isEmpty {
            reader.problems.add(reader.settings.location, "operation '\(reader.operation.id)' needs <\(name)>")
        }
        return result
    }
}
