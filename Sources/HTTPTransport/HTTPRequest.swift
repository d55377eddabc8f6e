/// An HTTP request: method, absolute URL, header fields and body bytes.
public struct HTTPRequest: Sendable {
    /// The request method, such as `GET` or `POST`.
    public var method: String
    /// The absolute `http` or `https` URL, including any query.
    public var url: String
    /// Header fields sent in order.
    public var headers: [HTTPHeader]
    /// The body; empty means no body.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The URL without its query and fragment, safe to show in messages (queries may carry secrets).
    public var redactedURL: String {
        var end = url.endIndex
        if let mark = url.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            end = mark
        }
        return String(url[..<end])
    }

    /// Returns a copy whose header `name` (case-insensitive) is replaced by `value`.
    public func settingHeader(_ name: String, _ value: String) -> HTTPRequest {
        var copy = self
        let wanted = name.lowercased()
        copy.headers.removeAll { $0.name.lowercased() == wanted }
        copy.headers.append(HTTPHeader(name, value))
        return copy
    }
}
