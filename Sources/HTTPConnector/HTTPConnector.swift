import HTTPTransport
import ProcessEngine
import ProcessModel
import Synchronization

/// The `http` connector: calls REST APIs. `send` makes one request per document (or, as a start
/// shape, one GET that follows the listing's pages), with the connection's credentials, retries,
/// rate limit and TLS settings.
public struct HTTPConnector: Connector {
    public let type = "http"
    /// One rate limiter per connection, shared by every shape and execution that uses it in this
    /// command or host (`conveyor serve` runs many executions with one connector).
    private let limiters = Limiters()

    public init() {}

    /// The rate limiters by connection id (and settings, so an edited connection gets a new one).
    private final class Limiters: Sendable {
        private let byConnection = Mutex<[String: HTTPRateLimiter]>([:])

        func limiter(for connectionID: String, _ settings: HTTPConnectionSettings) -> HTTPRateLimiter {
            let key = "\(connectionID)\u{0}\(settings.maxInFlight)\u{0}\(settings.requestsPerSecond.map { "\($0)" } ?? "-")"
            return byConnection.withLock { limiters in
                if let known = limiters[key] { return known }
                let made = HTTPRateLimiter(maxInFlight: settings.maxInFlight, requestsPerSecond: settings.requestsPerSecond)
                limiters[key] = made
                return made
            }
        }
    }

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
        let limiter = limiters.limiter(for: connection.id, connectionSettings)
        let countRetry = environment.countRetry
        let note = environment.noteRetry
        let waits: @Sendable (RetryEvent) -> Void = {
            note(RetryNotice($0.request, $0.attempt, $0.maxAttempts, $0.delay, $0.reason))
        }
        let client = RetryingHTTPClient(base: RateLimitedHTTPClient(base: curl, limiter: limiter),
                                        policy: connectionSettings.retry, onRetry: { _ in countRetry() },
                                        onWait: waits, circuit: OutageCircuit())
        let tokenClient = RetryingHTTPClient(base: curl, policy: connectionSettings.retry, onRetry: { _ in countRetry() },
                                             onWait: waits)
        let exchange = HTTPExchange(connection: connectionSettings, settings: operationSettings, client: client,
                                    authorizer: HTTPAuthorizer(auth: connectionSettings.auth, client: tokenClient))
        return HTTPSendOperation(exchange: exchange)
    }
}
