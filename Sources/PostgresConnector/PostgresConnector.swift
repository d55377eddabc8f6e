import ProcessEngine
import ProcessModel

/// The `postgresql` connector: runs SQL with bound parameters against a PostgreSQL server.
/// `query` turns each result row into a JSON document; `execute` runs a statement once per
/// document, a batch per transaction, each document behind its own savepoint.
public struct PostgresConnector: ChangeCaptureConnector {
    public let type = "postgresql"

    public init() {}

    public func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if case .failure(let found) = PostgresConnectionSettings.parse(connection, workspaceRoot: "") {
            problems += found.diagnostics
        }
        if case .failure(let found) = PostgresOperationSettings.parse(operation) {
            problems += found.diagnostics
        }
        return problems
    }

    public func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                              environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        let connectionSettings: PostgresConnectionSettings
        switch PostgresConnectionSettings.parse(connection, workspaceRoot: environment.workspaceRoot) {
        case .success(let settings): connectionSettings = settings
        case .failure(let problems): throw PostgresConnectorError(problems.diagnostics.map(\.description).joined(separator: "; "))
        }
        let operationSettings: PostgresOperationSettings
        switch PostgresOperationSettings.parse(operation) {
        case .success(let settings): operationSettings = settings
        case .failure(let problems): throw PostgresConnectorError(problems.diagnostics.map(\.description).joined(separator: "; "))
        }
        let pool = PostgresPool(settings: connectionSettings)
        // Connects now, so a refused login or an unknown database stops the shape with one clear error.
        let first = try await pool.acquire()
        await pool.release(first)
        let statement = PostgresStatement(settings: operationSettings, connection: connectionSettings)
        switch operationSettings.action {
        case .query: return PostgresQueryOperation(statement: statement, pool: pool)
        case .execute: return PostgresExecuteOperation(statement: statement, pool: pool)
        }
    }

    public func validate(connection: ConnectionDefinition, capture: ChangeCaptureStart) -> [Diagnostic] {
        if case .failure(let found) = PostgresConnectionSettings.parse(connection, workspaceRoot: "") {
            return found.diagnostics
        }
        return []
    }

    public func makeChangeReader(connection: ConnectionDefinition, capture: ChangeCaptureStart, mode: ChangeReadMode,
                                 environment: ConnectorEnvironment) async throws -> any ChangeReader {
        PostgresChangeReader(slot: ChangeSlot(capture: capture, settings: try settings(connection, environment)), mode: mode)
    }

    public func makeChangeWatcher(connection: ConnectionDefinition, capture: ChangeCaptureStart,
                                  environment: ConnectorEnvironment) async throws -> any ChangeWatcher {
        PostgresChangeWatcher(slot: ChangeSlot(capture: capture, settings: try settings(connection, environment)))
    }

    private func settings(_ connection: ConnectionDefinition, _ environment: ConnectorEnvironment) throws -> PostgresConnectionSettings {
        switch PostgresConnectionSettings.parse(connection, workspaceRoot: environment.workspaceRoot) {
        case .success(let settings): return settings
        case .failure(let problems): throw PostgresConnectorError(problems.diagnostics.map(\.description).joined(separator: "; "))
        }
    }
}
