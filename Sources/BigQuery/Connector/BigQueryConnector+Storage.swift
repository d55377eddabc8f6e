import HTTPTransport
import ProcessEngine
import ProcessModel

extension BigQueryConnector {
    /// Checks what the storage-write API needs of the connection (its endpoint).
    func validateStorageWrite(_ insert: StreamingInsertSettings, connection: ConnectionDefinition,
                              environment: [String: String]) -> [Diagnostic] {
        guard insert.api == .storageWrite else { return [] }
        if case .failure(let problems) = Self.storageEndpoint(connection, environment: environment) { return problems.diagnostics }
        return []
    }

    /// The connection's Storage Write API endpoint: `BIGQUERY_STORAGE_EMULATOR_HOST` (plaintext),
    /// else `<storageWriteEndpoint>host:port</storageWriteEndpoint>` (TLS), else Google's.
    static func storageEndpoint(_ connection: ConnectionDefinition,
                                environment: [String: String]) -> Result<StorageEndpoint, SettingsProblems> {
        var problems = SettingsProblems()
        if let emulator = environment["BIGQUERY_STORAGE_EMULATOR_HOST"], !emulator.isEmpty {
            guard let endpoint = StorageEndpoint.parse(emulator, plaintext: true) else {
                problems.add(connection.settings.location,
                             "BIGQUERY_STORAGE_EMULATOR_HOST '\(emulator)' is not host:port")
                return .failure(problems)
            }
            return .success(endpoint)
        }
        guard let element = connection.settings.child("storageWriteEndpoint") else { return .success(.google) }
        guard let endpoint = StorageEndpoint.parse(element.text, plaintext: false) else {
            problems.add(element.location,
                         "<storageWriteEndpoint> '\(element.text)' is not host:port (TLS), https://host[:port] or http://host:port (plaintext)")
            return .failure(problems)
        }
        return .success(endpoint)
    }

    /// A storage-write operation: a gRPC channel with the connection's tokens and, for
    /// exactly-once delivery, the checkpoint store the engine hands over.
    func storageWriteOperation(_ insert: StreamingInsertSettings, connection: ConnectionDefinition,
                               settings: BigQueryConnectionSettings, rest: BigQueryREST,
                               environment: ConnectorEnvironment) throws -> any ConnectorOperation {
        let endpoint = try Self.storageEndpoint(connection, environment: environment.variables).get()
        let transport = RetryingHTTPClient(base: CurlHTTPClient(timeouts: settings.timeouts, caFile: settings.caFile), policy: settings.retry)
        let tokens = try tokenProvider(for: settings, transport: transport, workspaceRoot: environment.workspaceRoot,
                                       environment: environment.variables)
        let client: StorageWriteClient
        do {
            client = try StorageWriteClient(endpoint: endpoint, tokens: tokens, timeout: settings.timeouts.request,
                                            caFile: settings.caFile)
        } catch {
            // The transport reads the CA file when it is made: say which file, and why.
            throw DocumentError("the Storage Write API's channel to \(endpoint.host):\(endpoint.port) could not be made"
                                    + (settings.caFile.map { " (<caFile> \($0))" } ?? "") + ": \(error)", code: .setting)
        }
        var checkpoints: (any CheckpointStore)?
        if insert.delivery == .exactlyOnce {
            guard let store = environment.checkpoints else { throw Self.noCheckpointStore }
            checkpoints = store
        }
        var operation = StorageWriteOperation(settings: insert, client: client, rest: rest, checkpoints: checkpoints,
                                              retry: settings.retry, location: settings.location,
                                              workspaceRoot: environment.workspaceRoot)
        operation.countRetry = environment.countRetry
        operation.noteRetry = environment.noteRetry
        operation.responseTimeout = settings.timeouts.request
        return operation
    }

    /// Exactly-once delivery resumes from checkpoints; without a store for them it cannot start.
    static let noCheckpointStore = DocumentError(
        "<delivery>exactly-once</delivery> keeps write checkpoints, but this run has no checkpoint store "
            + "(use <delivery>at-least-once</delivery> where executions are not recorded)", code: .setting)
}
