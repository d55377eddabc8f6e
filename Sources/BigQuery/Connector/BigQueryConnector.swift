import GoogleAuth
import HTTPTransport
import ProcessEngine
import ProcessModel
import Synchronization

/// The `google-bigquery` connector.
public final class BigQueryConnector: Connector {
    public let type = "google-bigquery"
    /// Access-token providers by connection id, shared by the executions of this host so a
    /// token is fetched once and refreshed before it expires; guarded by the mutex.
    private let tokenProviders = Mutex<[String: any AccessTokenProvider]>([:])
    private let environment: [String: String]

    /// A connector reading `BIGQUERY_EMULATOR_HOST` and key paths from `environment`.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var defaultProject = ""
        var defaultLocation: String?
        switch BigQueryConnectionSettings.parse(connection, environment: environment, workspaceRoot: ".") {
        case .success(let settings): (defaultProject, defaultLocation) = (settings.projectID, settings.location)
        case .failure(let problems): diagnostics += problems.diagnostics
        }
        switch operation.action {
        case "streaming-insert":
            switch StreamingInsertSettings.parse(operation, defaultProject: defaultProject) {
            case .failure(let problems): diagnostics += problems.diagnostics
            case .success(let insert): diagnostics += validateStorageWrite(insert, connection: connection, environment: environment)
            }
        case "run-job":
            if case .failure(let problems) = RunJobSettings.parse(operation, defaultProject: defaultProject, defaultLocation: defaultLocation) {
                diagnostics += problems.diagnostics
            }
        case "upsert-data":
            if case .failure(let problems) = UpsertDataSettings.parse(operation, defaultProject: defaultProject, defaultLocation: defaultLocation) {
                diagnostics += problems.diagnostics
            }
        case "get-query-results":
            if case .failure(let problems) = QueryResultsSettings.parse(operation, defaultProject: defaultProject,
                                                                        defaultLocation: defaultLocation) {
                diagnostics += problems.diagnostics
            }
        case "update":
            if case .failure(let problems) = UpdateSettings.parse(operation, defaultProject: defaultProject) {
                diagnostics += problems.diagnostics
            }
        default:
            diagnostics.append(Diagnostic(operation.location,
                "action '\(operation.action)' of operation '\(operation.id)' is not known: use streaming-insert, run-job, get-query-results, update or upsert-data"))
        }
        return diagnostics
    }

    public func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                              environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        let (settings, rest) = try client(for: connection, environment: environment)
        switch operation.action {
        case "streaming-insert":
            let insert = try StreamingInsertSettings.parse(operation, defaultProject: settings.projectID).get()
            if insert.api == .storageWrite {
                return try storageWriteOperation(insert, connection: connection, settings: settings, rest: rest,
                                                 environment: environment)
            }
            return StreamingInsertOperation(settings: insert, rest: rest)
        case "run-job":
            let job = try RunJobSettings.parse(operation, defaultProject: settings.projectID, defaultLocation: settings.location).get()
            return RunJobOperation(settings: job, runner: JobRunner(rest: JobsREST(rest: rest), clock: SystemJobClock()))
        case "upsert-data":
            let upsert = try UpsertDataSettings.parse(operation, defaultProject: settings.projectID, defaultLocation: settings.location).get()
            return UpsertDataOperation(settings: upsert, runner: JobRunner(rest: JobsREST(rest: rest), clock: SystemJobClock()))
        case "get-query-results":
            let results = try QueryResultsSettings.parse(operation, defaultProject: settings.projectID,
                                                         defaultLocation: settings.location).get()
            return GetQueryResultsOperation(settings: results, rest: rest)
        case "update":
            return UpdateOperation(settings: try UpdateSettings.parse(operation, defaultProject: settings.projectID).get(),
                                   rest: rest)
        default:
            throw SettingsProblems(diagnostics: [Diagnostic(operation.location,
                "action '\(operation.action)' is not available in this version")])
        }
    }

    /// The connection's settings and an authorised REST client for them.
    func client(for connection: ConnectionDefinition,
                environment: ConnectorEnvironment) throws -> (BigQueryConnectionSettings, BigQueryREST) {
        let settings = try BigQueryConnectionSettings.parse(connection, environment: environment.variables,
                                                            workspaceRoot: environment.workspaceRoot).get()
        let base = CurlHTTPClient(timeouts: settings.timeouts, caFile: settings.caFile)
        // Token providers outlive one execution (they are cached per connection): their retries are not counted.
        let tokens = try tokenProvider(for: settings, transport: RetryingHTTPClient(base: base, policy: settings.retry),
                                       workspaceRoot: environment.workspaceRoot, environment: environment.variables)
        let countRetry = environment.countRetry
        // One circuit per operation of an execution: an endpoint down for longer than the retries
        // fails the requests after the first one that spent them at their first attempt.
        let note = environment.noteRetry
        let transport = RetryingHTTPClient(base: base, policy: settings.retry, onRetry: { _ in countRetry() },
                                           onWait: { note(RetryNotice($0.request, $0.attempt, $0.maxAttempts, $0.delay, $0.reason)) },
                                           circuit: OutageCircuit())
        return (settings, BigQueryREST(http: AuthorizedHTTPClient(base: transport, tokens: tokens), rootURL: settings.rootURL))
    }

    func tokenProvider(for settings: BigQueryConnectionSettings, transport: any HTTPClient,
                               workspaceRoot: String, environment: [String: String]) throws -> any AccessTokenProvider {
        if let existing = tokenProviders.withLock({ $0[settings.id] }) { return existing }
        let provider = try settings.auth.makeProvider(
            connection: settings.id, scopes: [BigQueryConnectionSettings.scope], http: transport,
            store: CredentialStore.standard(workspaceRoot: workspaceRoot, environment: environment), environment: environment)
        return tokenProviders.withLock { providers in
            if let existing = providers[settings.id] { return existing }
            providers[settings.id] = provider
            return provider
        }
    }
}
