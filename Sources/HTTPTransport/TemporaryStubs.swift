public struct HTTPHeader: Sendable, Hashable { public var name: String; public var value: String; public init(_ name: String, _ value: String) { self.name = name; self.value = value } }
public struct HTTPRequest: Sendable {
    public var method: String; public var url: String; public var headers: [HTTPHeader]; public var body: [UInt8]
    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8] = []) { self.method = method; self.url = url; self.headers = headers; self.body = body }
}
public struct HTTPResponse: Sendable {
    public var status: Int; public var headers: [HTTPHeader]; public var body: [UInt8]
    public func header(_ name: String) -> String? { nil }
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) { self.status = status; self.headers = headers; self.body = body }
}
public protocol HTTPClient: Sendable { func send(_ request: HTTPRequest) async throws -> HTTPResponse }
public struct HTTPTimeouts: Sendable { public var connect: Duration; public var request: Duration; public init(connect: Duration = .seconds(10), request: Duration = .seconds(60)) { self.connect = connect; self.request = request } }
public final class CurlHTTPClient: HTTPClient { public init(timeouts: HTTPTimeouts = .init()) {}; public func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 500) } }
public struct RetryPolicy: Sendable { public var maxAttempts: Int; public var initialBackoff: Duration; public var maxBackoff: Duration; public var multiplier: Double
    public init(maxAttempts: Int = 8, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(32), multiplier: Double = 2) { self.maxAttempts = maxAttempts; self.initialBackoff = initialBackoff; self.maxBackoff = maxBackoff; self.multiplier = multiplier } }
public struct RetryEvent: Sendable { public var attempt: Int; public var delay: Duration; public var reason: String }
public struct RetryingHTTPClient: HTTPClient {
    public init(base: any HTTPClient, policy: RetryPolicy, sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }, onRetry: (@Sendable (RetryEvent) -> Void)? = nil) {}
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 500) }
}
