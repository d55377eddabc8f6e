import ConveyorBase
import Foundation
import DocumentMapping
import HTTPTransport
import ProcessEngine

/// What one `http` operation needs to send requests: its settings, the connection's client
/// (retries, rate limit, TLS) and its credentials.
struct HTTPExchange: Sendable {
    let connection: HTTPConnectionSettings
    let settings: HTTPOperationSettings
    let client: any HTTPClient
    let authorizer: HTTPAuthorizer

    /// The request for one document: path and query values from its properties, percent-encoded.
    func request(for document: Document, context: OperationContext) throws(DocumentError) -> HTTPRequest {
        var unsafeValue: String?
        var url = connection.baseURL
        if let path = settings.path {
            url += try context.interpolate(path.text, for: document) { value in
                // A segment of its own that is empty, '.' or '..' would change which resource is named.
                if value.isEmpty || value == "." || value == ".." { unsafeValue = value }
                return HTTPURL.encode(value)
            }
            if let unsafeValue {
                throw DocumentError("\(path.location): a value of <path> for document \(document.index) is '\(unsafeValue)', "
                                    + "which cannot name a path segment", code: .value)
            }
        }
        var query: [String] = []
        for parameter in settings.query {
            let value = try context.interpolate(parameter.value.text, for: document)
            query.append(HTTPURL.encodeQuery(parameter.name) + "=" + HTTPURL.encodeQuery(value))
        }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        var request = HTTPRequest(method: settings.method, url: url, headers: connection.headers)
        for header in settings.headers {
            let value = try context.interpolate(header.value.text, for: document)
            if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                throw DocumentError("\(header.value.location): header \(header.name) for document \(document.index) "
                                    + "has a line break in its value", code: .value)
            }
            request = request.settingHeader(header.name, value)
        }
        if settings.sendsBody {
            request.body = document.data
            if !request.headers.contains(named: "Content-Type") {
                let first = document.data.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
                let isJSON = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
                request.headers.append(HTTPHeader("Content-Type", isJSON ? "application/json" : "application/octet-stream"))
            }
        }
        return request
    }

    /// Sends `request` with the connection's credentials; a cached OAuth token the API refuses
    /// with 401 is replaced once.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await client.send(try await authorizer.authorize(request))
        if response.status == 401, await authorizer.refuse() {
            return try await client.send(try await authorizer.authorize(request))
        }
        return response
    }

    /// The document properties describing a response: `http.status` and `http.header.<name>`
    /// (names in lower case; repeated fields joined with ", "). `Set-Cookie` is left out: a
    /// session cookie is a credential, and properties are kept in execution records.
    static func properties(of response: HTTPResponse, adding base: [String: String]) -> [String: String] {
        var properties = base
        properties["http.status"] = String(response.status)
        var seen: Set<String> = []
        for header in response.headers where header.name.lowercased() != "set-cookie" {
            let key = "http.header." + header.name.lowercased()
            if seen.insert(key).inserted {
                properties[key] = header.value
            } else {
                properties[key, default: ""] += ", " + header.value
            }
        }
        return properties
    }

    /// The failure of a request that was answered with a status other than 2xx: the status, the
    /// URL without its query, and the start of the body.
    func statusError(_ response: HTTPResponse, request: HTTPRequest) -> DocumentError {
        var message = "\(request.method) \(request.redactedURL) answered HTTP \(response.status)"
        if (300..<400).contains(response.status) {
            let location = response.header("Location").map { HTTPRequest(url: $0).redactedURL } ?? "none"
            message += " (a redirect to \(location); redirects are not followed: give the final URL in <baseUrl> or <path>)"
        }
        let excerpt = Self.excerpt(response.body, hiding: Self.credentials(of: request))
        if !excerpt.isEmpty { message += ": " + excerpt }
        return DocumentError(message, code: response.status >= 500 || response.status == 429 ? .unavailable : .rejected)
    }

    /// The credentials a request carries in its `Authorization` header (the part after the scheme,
    /// such as the base64 of `user:password`), which a server echoing the request must not put in
    /// an error message.
    static func credentials(of request: HTTPRequest) -> [String] {
        request.headers.filter { $0.name.lowercased() == "authorization" }.compactMap { header in
            let parts = header.value.split(separator: " ", maxSplits: 1)
            let credential = String(parts.last ?? "").trimming(.whitespaces)
            return credential.count >= 4 ? credential : nil
        }
    }

    /// The first 200 characters of a body, on one line, each of `hidden` replaced by `***`.
    static func excerpt(_ body: [UInt8], hiding hidden: [String] = []) -> String {
        var text = String(decoding: body.prefix(800), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimming(.whitespaces) }.joined(separator: " ")
        for credential in hidden { text = text.replacingOccurrences(of: credential, with: "***") }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
