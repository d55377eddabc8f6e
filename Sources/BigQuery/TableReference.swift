import DocumentMapping
import ProcessEngine

/// A table named by project, dataset and table id.
struct TableReference: Sendable, Hashable, CustomStringConvertible {
    var project: String
    var dataset: String
    var table: String

    /// `project.dataset.table`.
    var description: String { "\(project).\(dataset).\(table)" }

    /// Reads `project.dataset.table`, `project:dataset.table` or `dataset.table` (then in `defaultProject`).
    static func parse(_ text: String, defaultProject: String) throws(DocumentError) -> TableReference {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var project = defaultProject
        if let colon = rest.firstIndex(of: ":") {
            project = String(rest[..<colon])
            rest = rest[rest.index(after: colon)...]
        }
        var parts = rest.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, !text.contains(":") {
            project = parts.removeFirst()
        }
        guard parts.count == 2, !project.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw DocumentError("'\(text)' is not a table: write project.dataset.table or dataset.table")
        }
        return TableReference(project: project, dataset: parts[0], table: parts[1])
    }

    /// The `TableReference` JSON object of the REST API.
    var json: JSONValue {
        ["projectId": .string(project), "datasetId": .string(dataset), "tableId": .string(table)]
    }

    /// The table in GoogleSQL, back-quoted: `` `project.dataset.table` ``.
    var quoted: String { "`\(project).\(dataset).\(table)`" }
}
