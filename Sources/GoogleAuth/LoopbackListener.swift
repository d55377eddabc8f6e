import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A one-shot HTTP listener on 127.0.0.1 that receives an OAuth redirect (RFC 8252 §7.3).
///
/// Requests without `code`, `error` or `state` in their query (such as `/favicon.ico`) are
/// answered 404 and the listener keeps waiting; the first redirect is answered with the page
/// returned by the caller, then the socket is closed.
public final class LoopbackListener: Sendable {
    /// The port the listener is bound to.
    public let port: Int
    /// The listening socket, -1 once closed.
    private let socket: Mutex<Int32>

    /// Why the listener could not start or receive.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// Binds 127.0.0.1:`port`; 0 picks a free ephemeral port.
    public init(port: Int = 0) throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw Failure(description: "cannot open a socket (\(String(cString: strerror(errno))))")
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, size) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw Failure(description: "cannot listen on 127.0.0.1:\(port) (\(reason))")
        }
        var actual = sockaddr_in()
        var length = size
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        socket = Mutex(descriptor)
    }

    deinit {
        close()
    }

    /// `http://127.0.0.1:PORT/`.
    public var redirectURI: String {
        "http://127.0.0.1:\(port)/"
    }

    /// Stops listening.
    public func close() {
        socket.withLock { descriptor in
            if descriptor >= 0 {
                Glibc.close(descriptor)
                descriptor = -1
            }
        }
    }

    /// Waits up to `timeout` for the redirect, answers it with `page(parameters)` as HTML,
    /// closes the listener and returns the redirect's query parameters.
    public func receive(timeout: Duration, page: @escaping @Sendable ([String: String]) -> String) async throws -> [String: String] {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let deadline = Date().addingTimeInterval(seconds)
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try self.acceptRedirect(until: deadline, page: page) })
            }
            thread.start()
        }
    }

    private func acceptRedirect(until deadline: Date, page: ([String: String]) -> String) throws -> [String: String] {
        defer { close() }
        let listening = socket.withLock { $0 }
        guard listening >= 0 else {
            throw Failure(description: "the listener is closed")
        }
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0, wait(listening, milliseconds: Int32(min(remaining * 1000, 60_000)) + 1) else {
                if deadline.timeIntervalSinceNow > 0 { continue }
                throw Failure(description: "no redirect arrived at \(redirectURI) in time")
            }
            let connection = accept(listening, nil, nil)
            guard connection >= 0 else { continue }
            defer { Glibc.close(connection) }
            guard let target = readRequestTarget(connection) else {
                respond(connection, status: "400 Bad Request", html: "<p>Bad request.</p>")
                continue
            }
            let parameters = Self.queryParameters(target)
            guard parameters["code"] != nil || parameters["error"] != nil || parameters["state"] != nil else {
                respond(connection, status: "404 Not Found", html: "<p>Not found.</p>")
                continue
            }
            respond(connection, status: "200 OK", html: page(parameters))
            return parameters
        }
    }

    private func wait(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// Reads the request head (up to 16 KiB, 5 s) and returns its target, such as `/?code=…`.
    private func readRequestTarget(_ connection: Int32) -> String? {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        while received.count < 16_384 {
            guard wait(connection, milliseconds: 5000) else { return nil }
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { break }
            received += buffer.prefix(count)
            if received.count >= 4, (0...(received.count - 4)).contains(where: { Array(received[$0..<$0 + 4]) == end }) {
                break
            }
        }
        let head = String(decoding: received, as: UTF8.self)
        let requestLine = head.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" else { return nil }
        return String(parts[1])
    }

    private func respond(_ connection: Int32, status: String, html: String) {
        let body = Array(html.utf8)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.count)\r\n"
            + "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBufferPointer { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            offset += count
        }
    }

    /// The percent-decoded query parameters of a request target.
    static func queryParameters(_ target: String) -> [String: String] {
        guard let items = URLComponents(string: "http://127.0.0.1" + target)?.queryItems else { return [:] }
        var parameters: [String: String] = [:]
        for item in items {
            parameters[item.name] = item.value ?? ""
        }
        return parameters
    }
}
