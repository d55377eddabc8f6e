@testable import BigQuery
import ProcessEngine
import ProcessModel
import Testing

private let at = SourceLocation(file: "connectors/write.xml", line: 4, column: 3)

@Suite struct StorageSinkSettingsTests {
    static func parse(_ children: [SettingsElement]) -> Result<StreamingInsertSettings, SettingsProblems> {
        let base = [SettingsElement(name: "datasetId", text: "sales", location: at),
                    SettingsElement(name: "tableId", text: "{table}", location: at),
                    SettingsElement(name: "api", text: "storage-write", location: at)]
        let operation = OperationDefinition(id: "write", type: "google-bigquery", action: "streaming-insert",
                                            settings: SettingsElement(name: "operation", children: base + children, location: at),
                                            location: at)
        return StreamingInsertSettings.parse(operation, defaultProject: "demo")
    }

    static func element(_ name: String, _ text: String = "", _ attributes: [String: String] = [:],
                        children: [SettingsElement] = []) -> SettingsElement {
        SettingsElement(name: name, attributes: attributes, text: text, children: children, location: at)
    }

    @Test func everyOptionIsRead() throws {
        let settings = try Self.parse([
            Self.element("ifExists", "replace"),
            Self.element("unknownColumns", "error"),
            Self.element("overwriteTypes", children: [Self.element("column", "", ["name": "_created_at", "type": "timestamp"])]),
            Self.element("uniqueConstraints", "id, region", ["conflict": "IGNORE"]),
            Self.element("deadLetter", "", ["destination": "file", "path": "dlq/orders.jsonl"]),
        ]).get()
        #expect(settings.sink.ifExists == .replace)
        #expect(settings.sink.unknownColumns == .error)
        #expect(settings.sink.overwriteTypes == ["_created_at": .timestamp])
        #expect(settings.sink.uniqueConstraints == .init(keys: ["id", "region"], updateMatched: false))
        #expect(settings.sink.deadLetter == .file(path: "dlq/orders.jsonl"))
        #expect(settings.sink.cdc == false)
    }

    @Test func defaultsAndDeadLetterTables() throws {
        let plain = try Self.parse([]).get()
        #expect(plain.sink == StorageSinkSettings())
        #expect(try Self.parse([Self.element("deadLetter", "", ["destination": "table"])]).get().sink.deadLetter == .tableSuffix("_dlq"))
        #expect(try Self.parse([Self.element("deadLetter", "", ["table": "p.errors.rows"])]).get().sink.deadLetter == .table("p.errors.rows"))
        #expect(try Self.parse([Self.element("deadLetter", "", ["path": "x.jsonl", "enabled": "false"])]).get().sink.deadLetter == .disabled)
        #expect(try Self.parse([Self.element("cdc", "true")]).get().sink.cdc)
        #expect(try Self.parse([Self.element("uniqueConstraints", "id")]).get().sink.uniqueConstraints?.updateMatched == true)
    }

    @Test func aDeadLetterFileMayBeAbsolute() throws {
        let parsed = try Self.parse([Self.element("deadLetter", "", ["path": "/var/log/conveyor/dlq.jsonl"])]).get()
        #expect(parsed.sink.deadLetter == .file(path: "/var/log/conveyor/dlq.jsonl"))
    }

    @Test func mistakesAreReportedWithTheirLocation() {
        let cases: [(SettingsElement, String)] = [
            (Self.element("ifExists", "overwrite"), "use append, replace or fail"),
            (Self.element("unknownColumns", "keep"), "use drop or error"),
            (Self.element("deadLetter", "", ["path": "../outside.jsonl"]), "cannot contain '..'"),
            (Self.element("deadLetter", "", ["path": "/tmp/../x.jsonl"]), "cannot contain '..'"),
            (Self.element("deadLetter", "", ["table": "onlyname"]), "project.dataset.table or dataset.table"),
            (Self.element("uniqueConstraints", "id;drop", ["conflict": "UPDATE"]), "not a plain column name"),
            (Self.element("uniqueConstraints", "id", ["conflict": "REPLACE"]), "use UPDATE or IGNORE"),
            (Self.element("overwriteTypes", children: [Self.element("column", "", ["name": "x", "type": "MONEY"])]), "scalar BigQuery type"),
            (Self.element("cdc", "maybe"), "<cdc> must be true or false"),
        ]
        for (element, message) in cases {
            guard case .failure(let problems) = Self.parse([element]) else {
                Issue.record("\(element.name) was accepted")
                continue
            }
            #expect(problems.description.contains(message), "\(problems)")
            #expect(problems.description.contains("connectors/write.xml:4"))
        }
    }

    @Test func sinkOptionsNeedTheStorageWriteAPI() {
        let operation = OperationDefinition(id: "write", type: "google-bigquery", action: "streaming-insert",
                                            settings: SettingsElement(name: "operation", children: [
                                                Self.element("datasetId", "sales"), Self.element("tableId", "orders"),
                                                Self.element("ifExists", "replace")], location: at), location: at)
        guard case .failure(let problems) = StreamingInsertSettings.parse(operation, defaultProject: "demo") else {
            Issue.record("accepted")
            return
        }
        #expect(problems.description.contains("<ifExists> needs <api>storage-write</api>"))
    }

    @Test func ignoreConflictsMergeWithoutUpdating() throws {
        var statement = try MergeStatement(target: TableReference(project: "p", dataset: "d", table: "t"),
                                           staging: TableReference(project: "p", dataset: "d", table: "s"),
                                           keys: ["id"], columns: ["id", "name"])
        #expect(try statement.sql().contains("WHEN MATCHED THEN UPDATE SET `name` = S.`name`"))
        statement.updateMatched = false
        #expect(try statement.sql() == "MERGE `p.d.t` T USING `p.d.s` S ON T.`id` = S.`id` "
                + "WHEN NOT MATCHED THEN INSERT (`id`, `name`) VALUES (S.`id`, S.`name`)")
    }

    @Test("uniqueConstraints with placeholders renders the keys per document and checks them")
    func interpolatedKeys() throws {
        let constraints = try #require(try Self.parse([Self.element("uniqueConstraints", "{key_columns}")]).get().sink.uniqueConstraints)
        #expect(constraints.keys.isEmpty)
        #expect(constraints.template != nil)
        let document = ProcessEngine.Document(json: [:], properties: ["key_columns": "tenant, id"], index: 4)
        #expect(try constraints.keys(for: document, context: context) == ["tenant", "id"])
        let bad = ProcessEngine.Document(json: [:], properties: ["key_columns": "id; DROP TABLE x"], index: 9)
        #expect(throws: DocumentError.self) { try constraints.keys(for: bad, context: context) }
        do { _ = try constraints.keys(for: bad, context: context) } catch {
            #expect("\(error)".contains("document 9") && "\(error)".contains("not a plain column name"), "\(error)")
        }
        let empty = ProcessEngine.Document(json: [:], properties: ["key_columns": " , "], index: 2)
        #expect(throws: DocumentError.self) { try constraints.keys(for: empty, context: context) }
        #expect(throws: DocumentError.self) { try constraints.keys(for: ProcessEngine.Document(json: [:]), context: context) }
        let constant = try #require(try Self.parse([Self.element("uniqueConstraints", "id")]).get().sink.uniqueConstraints)
        #expect(constant.template == nil)
        #expect(try constant.keys(for: ProcessEngine.Document(json: [:]), context: context) == ["id"])
        guard case .failure(let problems) = Self.parse([Self.element("uniqueConstraints", "{key_columns")]) else {
            Issue.record("an unclosed brace was accepted")
            return
        }
        #expect(problems.description.contains("<uniqueConstraints>"))
    }
}
