import Foundation
import PostgresConnector
import ProcessEngine
import ProcessModel
import TestSupport

/// A fresh database on the test server and what the connector needs to reach it.
struct TestDatabase {
    let url: String
    let host: String
    let port: Int
    let name: String

    init(prefix: String = "pgconn") throws {
        url = try TestPostgres.createDatabase(prefix: prefix)
        let components = URLComponents(string: url)
        host = components?.host ?? "127.0.0.1"
        port = components?.port ?? 5432
        name = String((components?.path ?? "").drop(while: { $0 == "/" }))
    }

    func drop() { TestPostgres.dropDatabase(url) }

    /// A connection to `host` with a database and user, nothing else.
    static func definition(host: String) -> ConnectionDefinition {
        let location = SourceLocation(file: "connectors/db.xml", line: 1)
        return ConnectionDefinition(id: "db", type: "postgresql", settings: SettingsElement(
            name: "connection", children: [
                SettingsElement(name: "host", text: host, location: location),
                SettingsElement(name: "database", text: "d", location: location),
                SettingsElement(name: "user", text: "u", location: location),
            ], location: location), location: location)
    }

    @discardableResult
    func psql(_ sql: String) throws -> String { try TestPostgres.psql(url, sql) }

    /// A connection definition; `extra` settings are added or replace the defaults.
    func connection(id: String = "crm-db", user: String = "postgres", password: String? = nil,
                    database: String? = nil, extra: [String: String] = [:]) -> ConnectionDefinition {
        var values: [(String, String)] = [("host", host), ("port", String(port)), ("database", database ?? name),
                                          ("user", user)]
        if let password { values.append(("password", password)) }
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
            values.removeAll { $0.0 == key }
            values.append((key, value))
        }
        let location = SourceLocation(file: "connectors/\(id).xml", line: 1)
        let children = values.enumerated().map { offset, pair in
            SettingsElement(name: pair.0, text: pair.1, location: SourceLocation(file: location.file, line: offset + 2))
        }
        return ConnectionDefinition(id: id, type: "postgresql", settings: SettingsElement(
            name: "connection", attributes: ["id": id, "type": "postgresql"], children: children, location: location),
            location: location)
    }
}

/// One `<parameter type>` holding one `<value>` with these attributes.
func parameter(_ type: String?, _ value: [String: String]) -> SettingsElement {
    let location = SourceLocation(file: "connectors/op.xml", line: 3)
    return SettingsElement(name: "parameter", attributes: type.map { ["type": $0] } ?? [:],
                           children: [SettingsElement(name: "value", attributes: value, location: location)],
                           location: location)
}

/// A profile-path parameter.
func pathParameter(_ type: String?, _ path: String) -> SettingsElement { parameter(type, ["source": "profile", "path": path]) }

func operation(_ action: String, sql: String, parameters: [SettingsElement] = [], batchCount: Int? = nil,
               id: String = "op") -> OperationDefinition {
    let location = SourceLocation(file: "connectors/\(id).xml", line: 1)
    var children = [SettingsElement(name: "sql", text: sql, location: SourceLocation(file: location.file, line: 2))]
    children += parameters
    if let batchCount {
        children.append(SettingsElement(name: "batchCount", text: String(batchCount), location: location))
    }
    return OperationDefinition(id: id, type: "postgresql", action: action, settings: SettingsElement(
        name: "operation", children: children, location: location), location: location)
}

func context(properties: [String: String] = [:], chunkSize: Int = 1_000) -> OperationContext {
    var context = OperationContext(
        execution: ExecutionInfo(id: "e1", processID: "p", processName: "p", startTime: Date(), trigger: .manual),
        shapeID: "shape", processProperties: properties, environment: [:])
    context.chunkSize = chunkSize
    return context
}

func makeOperation(_ connection: ConnectionDefinition, _ operation: OperationDefinition) async throws
    -> any ConnectorOperation {
    try await PostgresConnector().makeOperation(
        connection: connection, operation: operation,
        environment: ConnectorEnvironment(workspaceRoot: FileManager.default.temporaryDirectory.path, variables: [:]))
}

/// Every row a start-shape query reads, as text, and the chunk sizes it was handed over in.
func readAll(_ operation: any ConnectorOperation, context: OperationContext) async throws
    -> (rows: [String], chunks: [Int]) {
    var rows: [String] = []
    var chunks: [Int] = []
    try await operation.read(context: context) { documents in
        chunks.append(documents.count)
        rows += documents.map(\.text)
    }
    return (rows, chunks)
}

func document(_ json: String, index: Int) -> Document { Document(data: Array(json.utf8), index: index) }
