import HTTPTransport

/// Adds `Authorization: Bearer …` to each request. On 401 the token is invalidated and the
/// request repeated once with a fresh token; a second 401 is returned as it is.
public struct AuthorizedHTTPClient: HTTPClient {
    private let base: any HTTPClient
    private let tokens: any AccessTokenProvider

    public init(base: any HTTPClient, tokens: any AccessTokenProvider) {
        self.base = base
        self.tokens = tokens
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let token = try await tokens.token() else { return try await base.send(request) }
        let response = try await base.send(authorized(request, token))
        guard response.status == 401 else { return response }
        await tokens.invalidate(token)
        guard let fresh = try await tokens.token() else { return response }
        return try await base.send(authorized(request, fresh))
    }

    private func authorized(_ request: HTTPRequest, _ token: AccessToken) -> HTTPRequest {
        var request = request
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        request.headers.append(HTTPHeader("Authorization", "Bearer \(token.value)"))
        return request
    }
}
