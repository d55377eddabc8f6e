/// An HTTP response: status code, header fields of the final response, and the decoded body.
public struct HTTPResponse: Sendable {
    /// The status code, such as 200 or 404.
    public var status: Int
    /// Header fields of the final response, in order.
    public var headers: [HTTPHeader]
    /// The body, after content decoding (gzip).
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first(named: name)
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool {
        (200..<300).contains(status)
    }

    /// The body decoded as UTF-8 (invalid bytes replaced).
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
