@testable import BigQuery
import DocumentMapping
import ProcessEngine
import ProcessModel
import Testing

private let at = SourceLocation(file: "connectors/write.xml", line: 7, column: 5)

@Suite struct StorageColumnInferenceTests {
    static func columns(_ rows: [String], known: Set<String> = ["id"], cdc: Bool = false) throws -> [String: String] {
        var inference = StorageColumnInference(known: known, cdc: cdc)
        for row in rows { inference.add(try JSONParser.parse(row)) }
        var result: [String: String] = [:]
        for column in inference.columns { result[column.name] = column.type }
        return result
    }

    @Test("types follow the values: INTEGER, NUMERIC, FLOAT, BOOLEAN, STRING, JSON")
    func typesFromValues() throws {
        let types = try Self.columns([
            #"{"id": 1, "score": 7, "price": 12.5, "ratio": 1.5e3, "flag": true, "colour": "red", "at": "2024-03-01T10:00:00Z", "tags": {"a": 1}, "list": [1]}"#,
            #"{"id": 2, "score": -9, "price": 3, "ratio": 2, "flag": false, "colour": "blue", "tags": [], "list": []}"#,
        ])
        #expect(types == ["score": "INTEGER", "price": "NUMERIC", "ratio": "FLOAT", "flag": "BOOLEAN", "colour": "STRING",
                          "at": "STRING", "tags": "JSON", "list": "JSON"])
    }

    @Test("numbers: NUMERIC only when exact (29 integer, 9 fraction digits), whole numbers past INT64 are NUMERIC")
    func numberKinds() throws {
        #expect(StorageColumnInference.numberKind("42") == .integer)
        #expect(StorageColumnInference.numberKind("-9223372036854775808") == .integer)
        #expect(StorageColumnInference.numberKind("9223372036854775808") == .numeric)
        #expect(StorageColumnInference.numberKind("0.123456789") == .numeric)
        #expect(StorageColumnInference.numberKind("0.1234567890000") == .numeric)
        #expect(StorageColumnInference.numberKind("0.1234567891") == .float)
        #expect(StorageColumnInference.numberKind(String(repeating: "9", count: 29) + ".5") == .numeric)
        #expect(StorageColumnInference.numberKind(String(repeating: "9", count: 30)) == .float)
        #expect(StorageColumnInference.numberKind("1e3") == .float)
        #expect(try Self.columns([#"{"a": 1}"#, #"{"a": 0.1234567891}"#]) == ["a": "FLOAT"])
        #expect(try Self.columns([#"{"a": 1}"#, #"{"a": 2.75}"#]) == ["a": "NUMERIC"])
    }

    @Test("nulls wait, mixed kinds are STRING, known columns (any case) and bad names are left out")
    func nullsMixesAndNames() throws {
        #expect(try Self.columns([#"{"later": null, "n": null}"#, #"{"later": 5}"#]) == ["later": "INTEGER"])
        #expect(try Self.columns([#"{"mixed": 1}"#, #"{"mixed": "x"}"#, #"{"other": true}"#, #"{"other": 1}"#])
                == ["mixed": "STRING", "other": "STRING"])
        #expect(try Self.columns([#"{"ID": 5, "Name": "x", "name": 1}"#], known: ["id"]) == ["Name": "STRING"])
        #expect(try Self.columns([#"{"bad name": 1, "9lives": 1, "naïve": 1, "_TABLE_x": 1, "_ok": 1, "a-b": 1}"#]) == ["_ok": "INTEGER"])
        #expect(try Self.columns([#"{"_CHANGE_TYPE": "UPSERT", "_change_sequence_number": 3}"#], cdc: true).isEmpty)
        #expect(try Self.columns(["[1, 2]", "\"text\""]).isEmpty)
        #expect(StorageColumnInference.isValidName(String(repeating: "a", count: 300)))
        #expect(!StorageColumnInference.isValidName(String(repeating: "a", count: 301)))
        #expect(!StorageColumnInference.isValidName(""))
    }

    @Test("schemaUpdate: none (default) or add-columns; anything else is an error with file and line")
    func settings() throws {
        #expect(try StorageSinkSettingsTests.parse([]).get().sink.schemaUpdate == .none)
        let add = SettingsElement(name: "schemaUpdate", text: "add-columns", location: at)
        #expect(try StorageSinkSettingsTests.parse([add]).get().sink.schemaUpdate == .addColumns)
        let none = SettingsElement(name: "schemaUpdate", text: "none", location: at)
        #expect(try StorageSinkSettingsTests.parse([none]).get().sink.schemaUpdate == .none)
        let bad = SettingsElement(name: "schemaUpdate", text: "add-fields", location: at)
        guard case .failure(let problems) = StorageSinkSettingsTests.parse([bad]) else {
            Issue.record("add-fields was accepted")
            return
        }
        #expect(problems.description.contains("connectors/write.xml:7"), "\(problems)")
        #expect(problems.description.contains("<schemaUpdate>add-fields</schemaUpdate> is not known: use none or add-columns"))
        let exactly = SettingsElement(name: "delivery", text: "exactly-once", location: at)
        guard case .failure(let both) = StorageSinkSettingsTests.parse([add, exactly]) else {
            Issue.record("add-columns with exactly-once was accepted")
            return
        }
        #expect(both.description.contains("use it with at-least-once delivery"), "\(both)")
    }
}
