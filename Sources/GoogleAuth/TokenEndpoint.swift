import Foundation
import HTTPTransport

/// Posts a form to an OAuth 2.0 token endpoint and reads the access token from the answer.
struct TokenEndpoint: Sendable {
    var url: String
    var http: any HTTPClient

    /// What a successful token answer holds besides the access token.
    struct Grant: Sendable {
        var accessToken: AccessToken
        var refreshToken: String?
        var scope: String?
    }

    /// Exchanges `fields` for a token; `now` dates the token's expiry.
    func requestToken(_ fields: [(String, String)], now: Date) async throws -> AccessToken {
        try await requestGrant(fields, now: now).accessToken
    }

    /// Exchanges `fields` for a token and whatever refresh token and scope come with it.
    func requestGrant(_ fields: [(String, String)], now: Date) async throws -> Grant {
        let request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [
                HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                HTTPHeader("Accept", "application/json"),
            ],
            body: FormEncoding.encode(fields)
        )
        let response = try await http.send(request)
        return try parseGrant(response, now: now)
    }

    /// Reads `{"access_token":…,"expires_in":…}` or an OAuth error answer.
    func parse(_ response: HTTPResponse, now: Date) throws -> AccessToken {
        try parseGrant(response, now: now).accessToken
    }

    /// Reads a token answer with its optional `refresh_token` and `scope`, or an OAuth error answer.
    func parseGrant(_ response: HTTPResponse, now: Date) throws -> Grant {
        let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body))
        guard response.isSuccess else {
            throw AuthError(
                kind: .tokenEndpoint,
                tokenURL: redactedURL,
                status: response.status,
                oauthError: answer?.error,
                oauthErrorDescription: answer?.errorDescription,
                detail: answer == nil ? "the answer is not an OAuth error object" : ""
            )
        }
        guard let answer, let value = answer.accessToken, !value.isEmpty else {
            throw AuthError(kind: .malformedResponse, tokenURL: redactedURL, status: response.status, detail: "the answer has no access_token")
        }
        if let type = answer.tokenType, type.lowercased() != "bearer" {
            throw AuthError(kind: .malformedResponse, tokenURL: redactedURL, status: response.status, detail: "token_type is \(type), expected Bearer")
        }
        let lifetime = answer.expiresIn ?? 3600
        return Grant(accessToken: AccessToken(value: value, expiresAt: now.addingTimeInterval(lifetime)),
                     refreshToken: answer.refreshToken, scope: answer.scope)
    }

    var redactedURL: String {
        HTTPRequest(url: url).redactedURL
    }

    /// A token endpoint answer, success or error.
    private struct Answer: Decodable {
        var accessToken: String?
        var expiresIn: Double?
        var tokenType: String?
        var refreshToken: String?
        var scope: String?
        var error: String?
        var errorDescription: String?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
            case tokenType = "token_type"
            case refreshToken = "refresh_token"
            case scope
            case error
            case errorDescription = "error_description"
        }
    }
}
