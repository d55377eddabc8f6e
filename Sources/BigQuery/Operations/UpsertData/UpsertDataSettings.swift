import ConveyorBase
import Foundation
import ProcessEngine
import ProcessModel

/// The settings of an `upsert-data` operation.
struct UpsertDataSettings: Sendable {
    /// How documents hold rows.
    enum SourceFormat: String, Sendable {
        /// One JSON object per document, or a document of JSON lines.
        case json = "NEWLINE_DELIMITED_JSON"
        /// A CSV document: a header line, then rows in the table's column order.
        case csv = "CSV"
    }

    var projectID: InterpolatedText
    var datasetID: InterpolatedText
    var tableID: InterpolatedText
    /// Key columns, each a checked identifier.
    var keys: [String]
    var sourceFormat: SourceFormat
    var writeDisposition: String
    var createDisposition: String
    var location: String?
    var timeout: Duration?
    var returnApplicationErrors: Bool
    /// Matched keys are updated (true) or their staged rows left out (false: insert new keys only).
    var updateMatched = true

    static func parse(_ operation: OperationDefinition, defaultProject: String,
                      defaultLocation: String?) -> Result<Self, SettingsProblems> {
        var reader = JobSettingsReader(operation)
        let project = reader.project(default: defaultProject)
        let dataset = reader.text("datasetId", required: true)
        let table = reader.text("tableId", required: true)
        var keys: [String] = []
        if let element = reader.settings.child("keys"), !element.text.isEmpty {
            for key in element.text.split(separator: ",").map({ $0.trimming(.whitespaces) }) {
                do { keys.append(try MergeStatement.identifier(key, role: "key")) } catch {
                    reader.problems.add(element.location, "<keys>: \(error)")
                }
            }
        } else {
            reader.problems.add(reader.settings.location, "operation '\(operation.id)' needs <keys> (comma-separated key columns)")
        }
        var format = SourceFormat.json
        if let element = reader.settings.child("sourceFormat"), !element.text.isEmpty {
            if let parsed = SourceFormat(rawValue: element.text.uppercased()) { format = parsed } else {
                reader.problems.add(element.location, "<sourceFormat> must be CSV or NEWLINE_DELIMITED_JSON, not '\(element.text)'")
            }
        }
        let write = reader.choice("writeDisposition", JobSettingsReader.writeDispositions) ?? "WRITE_APPEND"
        let create = reader.choice("createDisposition", JobSettingsReader.createDispositions) ?? "CREATE_NEVER"
        let timeout = reader.timeout(default: RunJobSettings.defaultTimeout)
        let returnErrors = reader.flag("returnApplicationErrors")
        let location = reader.settings.text(of: "location").flatMap { $0.isEmpty ? nil : $0 } ?? defaultLocation
        guard reader.problems.isEmpty, let project, let dataset, let table else { return .failure(reader.problems) }
        return .success(Self(projectID: project, datasetID: dataset, tableID: table, keys: keys, sourceFormat: format,
                             writeDisposition: write, createDisposition: create, location: location,
                             timeout: timeout, returnApplicationErrors: returnErrors))
    }
}
