/// Something that sends HTTP requests and returns their responses.
///
/// Implementations return every HTTP status as a response; they throw only when no
/// response was received (see ``TransportError``) or the task was cancelled.
public protocol HTTPClient: Sendable {
    /// Sends `request` and returns the final response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Time limits for one HTTP exchange.
public struct HTTPTimeouts: Sendable {
    /// The longest time to wait for the TCP and TLS connection to be established.
    public var connect: Duration
    /// The longest time for the whole exchange, connection included.
    public var request: Duration

    /// Creates time limits.
    public init(connect: Duration = .seconds(10), request: Duration = .seconds(60)) {
        self.connect = connect
        self.request = request
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, at least 1 for positive durations.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return remainder > 0 ? millis + 1 : millis
    }
}
