import ConveyorBase
import DocumentMapping
import ProcessEngine

/// A table named by project, dataset and table id.
struct TableReference: Sendable, Hashable, CustomStringConvertible {
    var project: String
    var dataset: String
    var table: String

    /// `project.dataset.table`.
    var description: String { "\(project).\(dataset).\(table)" }

    /// The properties a document written to a table carries: its project, dataset and table ids,
    /// in the order of ``propertyValues``.
    static let propertyNames = ["bigquery.projectId", "bigquery.datasetId", "bigquery.tableId"]

    /// The values of ``propertyNames`` for this table.
    var propertyValues: [String] { [project, dataset, table] }

    /// Reads `project.dataset.table`, `project:dataset.table` or `dataset.table` (then in `defaultProject`).
    static func parse(_ text: String, defaultProject: String) throws(DocumentError) -> TableReference {
        var rest = Substring(text.trimming(.whitespaces))
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
            throw DocumentError("'\(text)' is not a table: write project.dataset.table or dataset.table", code: .value)
        }
        return try TableReference(checking: project, dataset: parts[0], table: parts[1])
    }

    /// The `TableReference` JSON object of the REST API.
    var json: JSONValue {
        ["projectId": .string(project), "datasetId": .string(dataset), "tableId": .string(table)]
    }

    /// The table in GoogleSQL, back-quoted: `` `project.dataset.table` ``.
    var quoted: String { "`\(project).\(dataset).\(table)`" }
}

extension TableReference {
    /// A table whose ids came from settings or documents: each is checked (``checkProject(_:)``,
    /// ``checkDataset(_:)``, ``checkTable(_:)``), so a bad one fails the document and is never sent.
    init(checking project: String, dataset: String, table: String) throws(DocumentError) {
        try Self.checkProject(project)
        try Self.checkDataset(dataset)
        try Self.checkTable(table)
        self.init(project: project, dataset: dataset, table: table)
    }

    /// A project id: lowercase letters, digits and hyphens, starting with a letter, at most 30
    /// (shorter ones are accepted: emulators use them), optionally after a `domain:` prefix of
    /// lowercase letters, digits, hyphens and dots (`example.com:my-project`).
    static func checkProject(_ id: String) throws(DocumentError) {
        var name = Substring(id)
        if let colon = id.lastIndex(of: ":") {
            let domain = id[..<colon]
            name = id[id.index(after: colon)...]
            guard !domain.isEmpty, domain.unicodeScalars.allSatisfy({ isLowerAlphanumeric($0) || $0 == "-" || $0 == "." }) else {
                throw invalid("project", id)
            }
        }
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= 30,
              name.unicodeScalars.allSatisfy({ isLowerAlphanumeric($0) || $0 == "-" }), name.last != "-" else {
            throw invalid("project", id)
        }
    }

    /// A dataset id: 1 to 1,024 letters, digits and underscores.
    static func checkDataset(_ id: String) throws(DocumentError) {
        guard !id.isEmpty, id.utf8.count <= 1024,
              id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }) else {
            throw invalid("dataset", id)
        }
    }

    /// A table id: 1 to 1,024 UTF-8 bytes of Unicode letters, marks, numbers, connectors (`_`),
    /// dashes and spaces, as BigQuery allows, optionally followed by a partition decorator
    /// (`$20260101`, `$__UNPARTITIONED__`). `/`, `?`, `#`, `%`, `.`, quotes and control characters
    /// are refused, and so is an id of spaces only.
    static func checkTable(_ id: String) throws(DocumentError) {
        var name = Substring(id)
        if let dollar = id.firstIndex(of: "$") {
            let decorator = id[id.index(after: dollar)...]
            guard !decorator.isEmpty, decorator.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic
                    || ("0"..."9").contains($0) || $0 == "_") }) else { throw invalid("table", id) }
            name = id[..<dollar]
        }
        guard !name.isEmpty, name.utf8.count <= 1024, !name.allSatisfy({ $0 == " " }),
              name.unicodeScalars.allSatisfy(isTableScalar) else {
            throw invalid("table", id)
        }
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isTableScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .spaceSeparator:
            return true
        default:
            return false
        }
    }

    private static func invalid(_ kind: String, _ id: String) -> DocumentError {
        let shown = id.unicodeScalars.map { $0.properties.generalCategory == .control
            ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return DocumentError("'\(shown)' is not a valid BigQuery \(kind) id; nothing was sent for this document", code: .value)
    }
}
