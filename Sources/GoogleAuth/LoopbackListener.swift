import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A one-shot HTTP listener on 127.0.0.1 that receives an OAuth redirect (RFC 8252 §7.3): a small
/// Hummingbird application, stopped once the redirect is answered.
///
/// Requests without `code`, `error` or `state` in their query (such as `/favicon.ico`) are
/// answered 404 and the listener keeps waiting; so are requests it cannot use (not GET: 405; a
/// target over 16 KiB: 414; a query that is not percent-encoded correctly or repeats a parameter:
/// 400), each with a page saying why. The first redirect is answered with the page returned by
/// the caller; a later one gets 409. Connections that send nothing for 5 s are closed.
public final class LoopbackListener: Sendable {
    /// The port the listener is bound to.
    public let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, Never>
    private let inbox: Inbox

    /// Why the listener could not start or receive.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// The longest request target answered (longer ones get 414).
    static let maxTargetBytes = 16_384
    /// How long a connection may send nothing before it is closed.
    static let connectionTimeout: Duration = .seconds(5)
    /// How long the answer to the redirect may take to reach the browser before the server stops.
    static let shutdownTimeout: Duration = .seconds(2)

    /// Binds 127.0.0.1:`port` and starts listening; 0 picks a free ephemeral port.
    public init(port: Int = 0) async throws {
        let inbox = Inbox()
        let bound = OneShot<Int>()
        // A library never prints: the server's own log lines go nowhere.
        let logger = Logger(label: "conveyor.auth.loopback") { _ in SwiftLogNoOpLogHandler() }
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await Self.answer(request, inbox: inbox) },
            server: .http1(configuration: .init(idleTimeout: .seconds(Self.connectionTimeout.components.seconds))),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in bound.resolve(.success(channel.localAddress?.port ?? 0)) },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [application], logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.shutdownTimeout
        let group = ServiceGroup(configuration: configuration)
        running = Task {
            do {
                try await group.run()
                bound.resolve(.failure(Failure(description: "the listener on 127.0.0.1:\(port) stopped before it started")))
            } catch {
                bound.resolve(.failure(Failure(description: "cannot listen on 127.0.0.1:\(port) (\(error))")))
            }
            inbox.redirect.resolve(.failure(Failure(description: "the listener is closed")))
            inbox.page.resolve(.failure(Failure(description: "the listener is closed")))
        }
        self.group = group
        self.inbox = inbox
        do {
            self.port = try await bound.value
        } catch {
            running.cancel()
            throw error
        }
    }

    deinit {
        running.cancel()
    }

    /// `http://127.0.0.1:PORT/`.
    public var redirectURI: String {
        "http://127.0.0.1:\(port)/"
    }

    /// Stops listening (the answer to a redirect already taken is still sent) and waits until the
    /// port is free.
    public func close() async {
        inbox.redirect.resolve(.failure(Failure(description: "the listener is closed")))
        inbox.page.resolve(.failure(Failure(description: "the listener is closed")))
        await group.triggerGracefulShutdown()
        await running.value
    }

    /// Waits up to `timeout` for the redirect, answers it with `page(parameters)` as HTML,
    /// closes the listener and returns the redirect's query parameters.
    public func receive(timeout: Duration, page: @escaping @Sendable ([String: String]) -> String) async throws -> [String: String] {
        inbox.page.resolve(.success(page))
        let redirectURI = redirectURI
        let redirect = inbox.redirect
        let timer = Task {
            try await Task.sleep(for: timeout)
            redirect.resolve(.failure(Failure(description: "no redirect arrived at \(redirectURI) in time")))
        }
        defer { timer.cancel() }
        let parameters: [String: String]
        do {
            parameters = try await redirect.value
        } catch {
            await close()
            throw error
        }
        await close()
        return parameters
    }

    // MARK: - Answers

    /// Answers one request: an error page, or (for the first redirect) the caller's page.
    static func answer(_ request: Request, inbox: Inbox) async -> Response {
        guard request.method == .get else {
            return html(.methodNotAllowed, "<p>Only GET requests are answered here.</p>")
        }
        let target = request.uri.string
        guard target.utf8.count <= maxTargetBytes else {
            return html(.uriTooLong, "<p>The request is longer than \(maxTargetBytes) bytes.</p>")
        }
        let parameters: [String: String]
        switch queryParameters(request.uri.query) {
        case .failure(let problem): return html(.badRequest, "<p>Bad request: \(problem.description).</p>")
        case .success(let decoded): parameters = decoded
        }
        guard parameters["code"] != nil || parameters["error"] != nil || parameters["state"] != nil else {
            return html(.notFound, "<p>Not found.</p>")
        }
        guard inbox.redirect.resolve(.success(parameters)) else {
            return html(.conflict, "<p>This sign-in has already received its redirect.</p>")
        }
        guard let page = try? await inbox.page.value else {
            return html(.serviceUnavailable, "<p>The sign-in has ended.</p>")
        }
        return html(.ok, page(parameters))
    }

    private static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status,
                 headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Why a request's query cannot be used.
    enum QueryProblem: Error, Equatable, CustomStringConvertible {
        case malformed
        case repeated
        var description: String {
            switch self {
            case .malformed: "the query is not a correctly percent-encoded query string"
            case .repeated: "a query parameter appears more than once"
            }
        }
    }

    /// The percent-decoded parameters of a request's query, each name once (`+` is kept).
    static func queryParameters(_ query: String?) -> Result<[String: String], QueryProblem> {
        guard let query else { return .success([:]) }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Each `%` must start two hex digits, and the decoded bytes must be UTF-8.
            guard let name = parts[0].removingPercentEncoding,
                  let value = parts.count > 1 ? parts[1].removingPercentEncoding : "" else { return .failure(.malformed) }
            guard parameters.updateValue(value, forKey: name) == nil else { return .failure(.repeated) }
        }
        return .success(parameters)
    }

    /// What the requests hand to ``receive(timeout:page:)`` and back.
    final class Inbox: Sendable {
        /// The one redirect taken (or why none will be).
        let redirect = OneShot<[String: String]>()
        /// The caller's page for it, given when the caller starts waiting.
        let page = OneShot<@Sendable ([String: String]) -> String>()
    }
}

/// A value set once (later values are ignored) and awaited by any number of tasks.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiters: [CheckedContinuation<Value, any Error>] = []
    }
    private let state = Mutex(State())

    /// Sets the result unless one was set; returns whether this call set it.
    @discardableResult
    func resolve(_ result: Result<Value, any Error>) -> Bool {
        let waiters: [CheckedContinuation<Value, any Error>]? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(with: result) }
        return true
    }

    /// The result, once set.
    var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Value, any Error>? = state.withLock { state in
                    if let result = state.result { return result }
                    state.waiters.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        }
    }
}
