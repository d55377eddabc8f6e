import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A connector failure, its message naming the connection and server (never the password).
public struct PostgresConnectorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Up to `poolSize` connections of one operation in one execution, opened when first needed.
/// A connection is used by one task at a time: a batch's transaction never shares it.
actor PostgresPool {
    let settings: PostgresConnectionSettings
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var nextID = 0

    /// PostgresNIO logs nothing through the connector: failures come back as errors.
    static let logger = Logger(label: "conveyor.postgresql", factory: { _ in SwiftLogNoOpLogHandler() })

    init(settings: PostgresConnectionSettings) {
        self.settings = settings
    }

    /// A connection for one task alone; hand it back with ``release(_:)`` when done (also after a failure).
    func acquire() async throws -> PostgresConnection {
        while true {
            while let connection = idle.popLast() {
                if !connection.isClosed { return connection }
                open -= 1
            }
            if open < settings.poolSize {
                open += 1
                nextID += 1
                do {
                    return try await Self.connect(settings, id: nextID)
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    /// Takes a connection back (or drops it when the server closed it).
    func release(_ connection: PostgresConnection) {
        if connection.isClosed { open -= 1 } else { idle.append(connection) }
        wakeOne()
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    /// Closes the idle connections (at the end of the execution).
    func close() async {
        let connections = idle
        idle.removeAll()
        open -= connections.count
        for connection in connections { try? await connection.close() }
    }

    /// Opens one connection; a refusal reads as `connection 'id' (host:port): reason`.
    static func connect(_ settings: PostgresConnectionSettings, id: Int) async throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: try tls(settings))
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", "conveyor")]
        do {
            return try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: id, logger: logger)
        } catch {
            throw PostgresConnectorError("connection '\(settings.id)' (\(settings.address)): cannot connect: "
                                         + describe(error, settings: settings))
        }
    }

    private static func tls(_ settings: PostgresConnectionSettings) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch settings.sslMode {
        case .disable: return .disable
        case .require: configuration.certificateVerification = .none
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let caFile = settings.caFile {
            configuration.trustRoots = .file(caFile)
        }
        do {
            return .require(try NIOSSLContext(configuration: configuration))
        } catch {
            throw PostgresConnectorError("connection '\(settings.id)' (\(settings.address)): cannot set up TLS: \(error)"
                                         + (settings.caFile.map { " (caFile \($0))" } ?? ""))
        }
    }

    /// A PostgresNIO error in words: the server's message and SQLSTATE, or why the connection
    /// failed. Never the statement's parameters (PostgresNIO's own description hides everything).
    static func describe(_ error: any Error, settings: PostgresConnectionSettings? = nil) -> String {
        if let failure = error as? PostgresConnectorError { return failure.message }
        guard let failure = error as? PSQLError else { return String(describing: error) }
        if let server = failure.serverInfo {
            var message = server[.message] ?? "the server refused the statement"
            if let detail = server[.detail] { message += " (\(detail))" }
            if let state = server[.sqlState] { message += " [SQLSTATE \(state)]" }
            return message
        }
        var message: String
        switch failure.code {
        case .connectionError: message = "cannot reach the server"
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown: message = "the connection was closed"
        case .sslUnsupported: message = "the server does not offer TLS (set <sslmode>disable</sslmode> only on a trusted network)"
        case .authMechanismRequiresPassword: message = "the server asks for a password: set <password>"
        default: message = "\(failure.code)"
        }
        if let underlying = failure.underlying { message += ": " + reason(underlying) }
        return message
    }

    /// A connection failure's cause (`connection refused`), not NIO's structure.
    private static func reason(_ error: any Error) -> String {
        func text(_ error: any Error) -> String {
            guard let io = error as? IOError else { return String(describing: error) }
            return String(cString: strerror(io.errnoCode)).lowercased()
        }
        guard let connect = error as? NIOConnectionError else { return text(error) }
        if let lookup = connect.dnsAError ?? connect.dnsAAAAError, connect.connectionErrors.isEmpty {
            return "cannot resolve the name \(connect.host) (\(lookup))"
        }
        let attempts = connect.connectionErrors.map { attempt in
            "\(attempt.target.ipAddress ?? connect.host):\(attempt.target.port ?? connect.port): \(text(attempt.error))"
        }
        return attempts.isEmpty ? "no address to connect to" : attempts.joined(separator: "; ")
    }
}
