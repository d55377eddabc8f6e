import ExecutionStore
import Foundation
import Hummingbird
import Logging
import ProcessModel

/// More routes served by the host behind the same authentication (such as web pages).
public protocol HostRoutes: Sendable {
    /// Adds routes to the authenticated router group.
    func addRoutes(to group: RouterGroup<BasicRequestContext>, server: HostServer)
}

/// The HTTP side of `conveyor serve`: process listeners and the REST API under `/api`, all behind
/// the configured authentication.
public struct HostServer: Sendable {
    /// How the server listens and limits requests.
    public var configuration: HostConfiguration
    /// Runs the executions requests ask for.
    public var host: ExecutionHost
    /// Where executions and tracking records are read from.
    public var store: ExecutionStore
    public var logger: Logger
    /// More routes to serve, added after the listeners and the REST API.
    public var extraRoutes: [any HostRoutes]
    /// Redacts the workspace's secret values from listener answers.
    let redactor: SecretRedactor
    /// The cluster this host belongs to (a PostgreSQL store), if any: `?wait=false` triggers go
    /// through its queue.
    public var cluster: ClusterService?
    /// Signs and checks the tokens of the reporting pages' forms (retry), keyed by the host's
    /// credentials so that every host of a cluster accepts them.
    let forms: FormToken

    /// Creates a server.
    public init(configuration: HostConfiguration, host: ExecutionHost, store: ExecutionStore, logger: Logger,
                extraRoutes: [any HostRoutes] = []) {
        self.configuration = configuration
        self.host = host
        self.store = store
        self.logger = logger
        self.extraRoutes = extraRoutes
        redactor = SecretRedactor(host.workspace.secretValues)
        switch configuration.authentication {
        case .none: forms = FormToken(secret: [])
        case .bearer(let token): forms = FormToken(secret: Array(token.utf8))
        case .basic(let user, let password): forms = FormToken(secret: Array("\(user):\(password)".utf8))
        }
    }

    /// The router with every route.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        // On the router rather than a group, so that a path no route serves is 401 too (not a 404
        // that tells who is not authenticated which listener paths exist). Only `GET /healthz` and
        // `GET /readyz` pass without credentials.
        router.add(middleware: AuthenticationMiddleware(authentication: configuration.authentication,
                                                        openPaths: Self.unauthenticatedPaths))
        let group = router.group()
        addOperationsRoutes(to: group)
        addAPIRoutes(to: group)
        addRetryRoutes(to: group)
        addListenerRoutes(to: group)
        for routes in extraRoutes { routes.addRoutes(to: group, server: self) }
        return router
    }

    /// Serves until the task is cancelled; `onRunning` is told the bound port once listening.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(onRunning: onRunning).runService(gracefulShutdownSignals: [])
    }

    /// The HTTP application serving every route (a service for the host's service group); it
    /// tells `onRunning` the bound port once listening.
    func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        // The HTTP server logs cancelled connections at shutdown as errors; keep its lines to debugging.
        var serverLogger = logger
        if logger.logLevel > .debug { serverLogger.logLevel = .critical }
        let idle = configuration.idleTimeout.components
        return Application(
            router: makeRouter(),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(
                idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000))),
            configuration: .init(address: .hostname(configuration.address, port: configuration.port),
                                 serverName: "conveyor"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: serverLogger)
    }

    // MARK: - Answers

    /// A JSON answer.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: HostJSON.encode(value))))
    }

    /// A JSON error answer `{"error": message}`.
    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        json(HostJSON.ErrorBody(error: message), status: status, headers: headers)
    }

    /// 503 with `Retry-After`.
    func unavailable(_ message: String) -> Response {
        Self.error(.serviceUnavailable, message, headers: [.retryAfter: "\(configuration.retryAfterSeconds)"])
    }

    /// The request body, or an answer (413) when it is larger than the limit.
    func body(of request: Request) async -> Result<[UInt8], ResponseError> {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return .failure(ResponseError(response: tooLarge()))
        }
        // Read part by part (rather than `collect(upTo:)`, whose error for a chunked body that
        // outgrows the limit is not an HTTP one), so any body over the limit gets 413.
        var bytes: [UInt8] = []
        do {
            for try await part in request.body {
                guard bytes.count + part.readableBytes <= limit else { return .failure(ResponseError(response: tooLarge())) }
                bytes += part.readableBytesView
            }
        } catch {
            return .failure(ResponseError(response: Self.error(.badRequest, "could not read the request body: \(error)")))
        }
        return .success(bytes)
    }

    private func tooLarge() -> Response {
        Self.error(.contentTooLarge, "the request body is larger than the limit of \(configuration.maxBodyBytes) bytes")
    }
}

/// An answer to send instead of going on.
struct ResponseError: Error {
    var response: Response
}

/// Answers 401 with `WWW-Authenticate` unless the request carries the configured credentials or is a
/// `GET` of one of `openPaths`.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let authentication: HostAuthentication
    var openPaths: Set<String> = []

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get, openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard authentication.accepts(request.headers[.authorization]) else {
            return HostServer.error(.unauthorized, "authentication required (\(authentication.schemeName))",
                                    headers: [.wwwAuthenticate: authentication.challenge])
        }
        return try await next(request, context)
    }
}
