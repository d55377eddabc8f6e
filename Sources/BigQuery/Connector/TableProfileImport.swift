import DocumentMapping
import Foundation
import ProcessEngine
import ProcessModel

/// Why a table's schema could not be turned into a profile.
public struct ProfileImportError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public var description: String { message }
}

extension BigQueryConnector {
    /// Reads the schema of `table` (`dataset.table` or `project.dataset.table`) through `connection`
    /// and returns it as the XML of a `bigquery-table` profile component with id `profileID`.
    public func importProfile(connection: ConnectionDefinition, table: String, profileID: String,
                              environment: ConnectorEnvironment) async throws -> String {
        let (settings, rest) = try client(for: connection, environment: environment)
        let reference: TableReference
        do {
            reference = try TableReference.parse(table, defaultProject: settings.projectID)
        } catch {
            throw ProfileImportError(message: "--table '\(table)': \(error)")
        }
        let resource = try await JobsREST(rest: rest).getTable(reference)
        guard let fields = resource[key: "schema"]?[key: "fields"]?.arrayValue, !fields.isEmpty else {
            throw ProfileImportError(message: "table \(reference) has no schema fields")
        }
        return try Self.profileXML(id: profileID, table: reference.description, fields: fields)
    }

    /// The profile component for a table schema's `fields`.
    static func profileXML(id: String, table: String, fields: [JSONValue]) throws -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                     "<!-- Imported from the schema of \(table.replacingOccurrences(of: "--", with: "- -")) -->",
                     "<profile id=\"\(escape(id))\" type=\"bigquery-table\">"]
        try appendFields(fields, depth: 1, to: &lines)
        lines.append("</profile>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func appendFields(_ fields: [JSONValue], depth: Int, to lines: inout [String]) throws {
        let indent = String(repeating: "  ", count: depth)
        for field in fields {
            guard let name = field[key: "name"]?.stringValue, let type = field[key: "type"]?.stringValue else {
                throw ProfileImportError(message: "a schema field has no name or type: \(field)")
            }
            let mode = field[key: "mode"]?.stringValue ?? "NULLABLE"
            let standardType = standardTypes[type] ?? type
            let opening = "\(indent)<field name=\"\(escape(name))\" type=\"\(escape(standardType))\""
                + (mode == "NULLABLE" ? "" : " mode=\"\(escape(mode))\"")
            if let children = field[key: "fields"]?.arrayValue, !children.isEmpty {
                lines.append(opening + ">")
                try appendFields(children, depth: depth + 1, to: &lines)
                lines.append("\(indent)</field>")
            } else {
                lines.append(opening + "/>")
            }
        }
    }

    /// Legacy type names the API may return, by their standard SQL names.
    private static let standardTypes = [
        "INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "STRUCT": "RECORD",
    ]

    private static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
