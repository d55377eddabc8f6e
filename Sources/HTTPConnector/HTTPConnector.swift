import HTTPTransport
import ProcessEngine
import ProcessModel

/// The `http` connector: calls REST APIs. `send` makes one request per document (or, as a start
/// shape, one GET that follows the listing's pages), with the connection's credentials, retries,
/// rate limit and TLS settings.
public struct HTTPConnector: Connector {
    public let type = "http"

    public init() {}

    public func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if case .failure(let found) = HTTPConnectionSettings.parse(connection, workspaceRoot: "") {
            problems += found.diagnostics
        }
        if case .failure(let found) = HTTPOperationSettings.parse(operation) {
            problems += found.diagnostics
        }
        return problems
    }

    public func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                              environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        let connectionSettings: HTTPConnectionSettings
        switch HTTPConnectionSettings.parse(connection, workspaceRoot: environment.workspaceRoot) {
        case .success(let settings): connectionSettings = settings
        case .failure(let problems): throw DocumentError(problems.description, code: .setting)
        }
        let operationSettings: HTTPOperationSettings
        switch HTTPOperationSettings.parse(operation) {
        case .success(let settings): operationSettings = settings
        case .failure(let problems): throw DocumentError(problems.description, code: .setting)
        }
        let curl = CurlHTTPClient(timeouts: connectionSettings.timeouts, caFile: connectionSettings.caFile)
        let limiter = HTTPRateLimiter(maxInFlight: connectionSettings.maxInFlight,
                                      requestsPerSecond: connectionSettings.requestsPerSecond)
        let countRetry = environment.countRetry
        let client = RetryingHTTPClient(base: RateLimitedHTTPClient(base: curl, limiter: limiter),
                                        policy: connectionSettings.retry, onRetry: { _ in countRetry() })
        let tokenClient = RetryingHTTPClient(base: curl, policy: connectionSettings.retry, onRetry: { _ in countRetry() })
        let exchange = HTTPExchange(connection: connectionSettings, settings: operationSettings, client: client,
                                    authorizer: HTTPAuthorizer(auth: connectionSettings.auth, client: tokenClient))
        return HTTPSendOperation(exchange: exchange)
    }
}
