import HTTPTransport

/// An ``HTTPClient`` that adds `Authorization: Bearer …` from a token provider.
///
/// On 401 it invalidates the token and retries the request once with a fresh one;
/// a second 401 is returned as is. With ``NoCredentials`` requests go out unchanged.
public struct AuthorizedHTTPClient: HTTPClient {
    private let base: any HTTPClient
    private let tokens: any AccessTokenProvider

    /// Creates a client sending through `base` with tokens from `tokens`.
    public init(base: any HTTPClient, tokens: any AccessTokenProvider) {
        self.base = base
        self.tokens = tokens
    }

    /// Sends `request` with a bearer token, refreshing it once after a 401.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let token = try await tokens.token() else {
            return try await base.send(request)
        }
        let response = try await base.send(authorized(request, token))
        guard response.status == 401 else {
            return response
        }
        await tokens.invalidate(token)
        guard let fresh = try await tokens.token() else {
            return response
        }
        return try await base.send(authorized(request, fresh))
    }

    private func authorized(_ request: HTTPRequest, _ token: AccessToken) -> HTTPRequest {
        request.settingHeader("Authorization", "Bearer \(token.value)")
    }
}
