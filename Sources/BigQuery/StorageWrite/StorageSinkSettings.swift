import ConveyorBase
import Foundation
import ProcessEngine
import ProcessModel

/// The storage-write sink options of a `streaming-insert` operation: what happens to the table
/// before the first write, to columns the table lacks, to value types, to key conflicts, to
/// failed rows, and whether rows carry change-data-capture pseudo-columns.
struct StorageSinkSettings: Sendable, Equatable {
    /// `<ifExists>`: what the execution's first write to a destination does about rows already there.
    enum IfExists: String, Sendable {
        /// Rows are added (the default).
        case append
        /// The table is emptied (`DELETE … WHERE true`, schema kept) before the first write.
        case replace
        /// The first write fails every row of the batch when the table holds any row.
        case fail
    }

    /// `<unknownColumns>`: members of a row that the table has no column for.
    enum UnknownColumns: String, Sendable {
        case drop
        case error
    }

    /// `<schemaUpdate>`: whether columns the rows carry and the table lacks are added to it.
    enum SchemaUpdate: String, Sendable {
        /// The table's schema is left as it is (the default).
        case none
        /// New top-level columns are added (NULLABLE, typed from the batch's values) before the rows are written.
        case addColumns = "add-columns"
    }

    /// `<uniqueConstraints conflict="UPDATE|IGNORE">a,b</uniqueConstraints>`: MERGE on the key columns.
    struct UniqueConstraints: Sendable, Equatable {
        /// The key columns of constant text (checked when the settings are read); empty when
        /// `template` renders them per document.
        var keys: [String]
        /// Rows whose keys exist already replace them (`UPDATE`) or are left out (`IGNORE`).
        var updateMatched: Bool
        /// Text with placeholders (`{key_columns}`): the keys are rendered per document.
        var template: InterpolatedText? = nil

        /// The key columns of `document`: the constant ones, or the template rendered, split at
        /// commas and checked to be plain column names (an error naming the document otherwise).
        func keys(for document: ProcessEngine.Document, context: OperationContext) throws(DocumentError) -> [String] {
            guard let template else { return keys }
            let text = try context.interpolate(template, for: document)
            let rendered = Self.split(text)
            guard !rendered.isEmpty else {
                throw DocumentError("document \(document.index): <uniqueConstraints> rendered no key column (from '\(text)')", code: .value)
            }
            for key in rendered where (try? MergeStatement.identifier(key, role: "key")) == nil {
                throw DocumentError("document \(document.index): <uniqueConstraints> rendered '\(text)': '\(key)' is not a plain "
                    + "column name (letters, digits and '_', not starting with a digit)", code: .value)
            }
            return rendered
        }

        static func split(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimming(.whitespaces) }.filter { !$0.isEmpty }
        }
    }

    /// `<deadLetter>`: where rows that fail go instead of failing their documents.
    enum DeadLetter: Sendable, Equatable {
        case disabled
        /// A JSON-lines file, relative to the workspace or absolute.
        case file(path: String)
        /// A table named after the destination with a suffix (`orders_dlq`).
        case tableSuffix(String)
        /// A table named in full (`project.dataset.table` or `dataset.table`).
        case table(String)
    }

    var ifExists = IfExists.append
    var unknownColumns = UnknownColumns.drop
    /// Whether `<unknownColumns>` was written: change documents (with an `op` property) are held
    /// to `error` unless it says `drop`, so a column new in the source is never dropped unseen.
    var unknownColumnsGiven = false
    var schemaUpdate = SchemaUpdate.none
    /// Column name → the type its values are cast to before they are written.
    var overwriteTypes: [String: StorageSchema.Field.Kind] = [:]
    var uniqueConstraints: UniqueConstraints?
    var deadLetter = DeadLetter.disabled
    /// Rows carry `_CHANGE_TYPE` (UPSERT or DELETE) and `_CHANGE_SEQUENCE_NUMBER`.
    var cdc = false

    /// The names of the elements only the storage-write API reads.
    static let elementNames = ["ifExists", "unknownColumns", "schemaUpdate", "overwriteTypes", "uniqueConstraints", "deadLetter", "cdc"]

    /// Reads the sink options of `settings`, adding problems with their locations.
    static func parse(_ settings: SettingsElement, problems: inout SettingsProblems) -> Self {
        var sink = Self()
        if let element = settings.child("ifExists") {
            if let value = IfExists(rawValue: element.text.lowercased()) { sink.ifExists = value } else {
                problems.add(element.location, "<ifExists>\(element.text)</ifExists> is not known: use append, replace or fail")
            }
        }
        if let element = settings.child("unknownColumns") {
            if let value = UnknownColumns(rawValue: element.text.lowercased()) {
                sink.unknownColumns = value
                sink.unknownColumnsGiven = true
            } else {
                problems.add(element.location, "<unknownColumns>\(element.text)</unknownColumns> is not known: use drop or error")
            }
        }
        if let element = settings.child("schemaUpdate") {
            if let value = SchemaUpdate(rawValue: element.text.trimming(.whitespaces).lowercased()) {
                sink.schemaUpdate = value
            } else {
                problems.add(element.location, "<schemaUpdate>\(element.text)</schemaUpdate> is not known: use none or add-columns")
            }
        }
        if let element = settings.child("overwriteTypes") {
            for column in element.children(named: "column") {
                let name = column.attributes["name"] ?? ""
                let type = (column.attributes["type"] ?? "").uppercased()
                guard !name.isEmpty, let kind = StorageSchema.kind(of: type), kind != .record else {
                    problems.add(column.location, "<column name=\"\(name)\" type=\"\(type)\">: needs a column name and a scalar BigQuery type (INT64, FLOAT64, NUMERIC, BOOL, STRING, BYTES, DATE, DATETIME, TIME, TIMESTAMP, JSON, GEOGRAPHY)")
                    continue
                }
                sink.overwriteTypes[name] = kind
            }
        }
        if let element = settings.child("uniqueConstraints") {
            var template: InterpolatedText?
            do {
                let parsed = try InterpolatedText(element.text)
                if !parsed.isConstant { template = parsed }
            } catch {
                problems.add(element.location, "<uniqueConstraints>: \(error)")
            }
            // Constant text is checked now; a template's rendering is checked per document.
            let keys = template == nil ? UniqueConstraints.split(element.text) : []
            let conflict = (element.attributes["conflict"] ?? "UPDATE").uppercased()
            if keys.isEmpty && template == nil { problems.add(element.location, "<uniqueConstraints> needs comma-separated key columns") }
            for key in keys where (try? MergeStatement.identifier(key, role: "key")) == nil {
                problems.add(element.location, "<uniqueConstraints>: '\(key)' is not a plain column name")
            }
            if conflict != "UPDATE" && conflict != "IGNORE" {
                problems.add(element.location, "<uniqueConstraints conflict=\"\(conflict)\">: use UPDATE or IGNORE")
            }
            sink.uniqueConstraints = UniqueConstraints(keys: keys, updateMatched: conflict != "IGNORE", template: template)
        }
        if let element = settings.child("deadLetter") {
            sink.deadLetter = parseDeadLetter(element, problems: &problems)
        }
        if let element = settings.child("cdc") {
            if let value = SettingValues.bool(element.text) { sink.cdc = value } else {
                problems.add(element.location, "<cdc> must be true or false, not '\(element.text)'")
            }
        }
        if sink.cdc, let element = settings.child("uniqueConstraints") {
            problems.add(element.location, "<uniqueConstraints> and <cdc>true</cdc> exclude each other: CDC applies changes by the table's primary key")
        }
        return sink
    }

    private static func parseDeadLetter(_ element: SettingsElement, problems: inout SettingsProblems) -> DeadLetter {
        if let enabled = element.attributes["enabled"] {
            guard let flag = SettingValues.bool(enabled) else {
                problems.add(element.location, "<deadLetter enabled=\"\(enabled)\"> must be true or false")
                return .disabled
            }
            if !flag { return .disabled }
        }
        switch element.attributes["destination"] ?? (element.attributes["path"] != nil ? "file" : "table") {
        case "file":
            guard let path = element.attributes["path"], !path.isEmpty else {
                problems.add(element.location, "<deadLetter destination=\"file\"> needs a path (relative to the workspace)")
                return .disabled
            }
            if path.split(separator: "/").contains("..") {
                problems.add(element.location, "<deadLetter path=\"\(path)\"> cannot contain '..': give a path relative to the workspace, or an absolute one")
                return .disabled
            }
            return .file(path: path)
        case "table":
            if let table = element.attributes["table"], !table.isEmpty {
                let parts = table.split(separator: ".", omittingEmptySubsequences: false)
                guard (2...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
                    problems.add(element.location, "<deadLetter table=\"\(table)\"> must be project.dataset.table or dataset.table")
                    return .disabled
                }
                return .table(table)
            }
            let suffix = element.attributes["tableSuffix"] ?? "_dlq"
            guard suffix.wholeMatch(of: /[A-Za-z0-9_\-]+/) != nil else {
                problems.add(element.location, "<deadLetter tableSuffix=\"\(suffix)\"> may hold letters, digits, '_' and '-' only")
                return .disabled
            }
            return .tableSuffix(suffix)
        case let other:
            problems.add(element.location, "<deadLetter destination=\"\(other)\"> is not known: use file or table")
            return .disabled
        }
    }
}
