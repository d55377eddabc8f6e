import Foundation

/// An OAuth 2.0 access token and when it expires.
public struct AccessToken: Sendable, Hashable {
    public var value: String
    public var expiresAt: Date

    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }
}

/// Supplies access tokens for API requests.
public protocol AccessTokenProvider: Sendable {
    /// A valid token, or nil to send no `Authorization` header.
    func token() async throws -> AccessToken?
    /// The API answered 401 with this token: forget it so the next call fetches a new one.
    func invalidate(_ token: AccessToken) async
}

/// No credentials: requests go without an `Authorization` header (for local emulators).
public struct NoCredentials: AccessTokenProvider {
    public init() {}
    public func token() async throws -> AccessToken? { nil }
    public func invalidate(_ token: AccessToken) async {}
}

/// Why a token could not be obtained. Never carries the assertion, the key or a token.
public struct AuthError: Error, Sendable, CustomStringConvertible {
    /// The token endpoint, or the key file, concerned.
    public var source: String
    public var status: Int?
    /// The OAuth `error` code, e.g. `invalid_grant`.
    public var code: String?
    public var message: String

    public init(source: String, status: Int? = nil, code: String? = nil, message: String) {
        self.source = source
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String {
        var text = "authentication with \(source) failed"
        if let status { text += ": HTTP \(status)" }
        if let code { text += " \(code)" }
        return text + ": " + message
    }
}
