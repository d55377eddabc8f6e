import Foundation
import HTTPTransport
public struct AccessToken: Sendable { public var value: String; public var expiresAt: Date }
public protocol AccessTokenProvider: Sendable { func token() async throws -> AccessToken?; func invalidate(_ token: AccessToken) async }
public struct NoCredentials: AccessTokenProvider { public init() {}; public func token() async throws -> AccessToken? { nil }; public func invalidate(_ token: AccessToken) async {} }
public struct ServiceAccountKey: Sendable { public var clientEmail: String; public var privateKeyID: String; public var privateKeyPEM: String; public var tokenURI: String; public var projectID: String?
    public static func load(path: String) throws -> ServiceAccountKey { throw CancellationError() } }
public actor JWTBearerTokenProvider: AccessTokenProvider {
    public init(key: ServiceAccountKey, scopes: [String], tokenURL: String? = nil, subject: String? = nil, http: any HTTPClient, now: @escaping @Sendable () -> Date = { Date() }) {}
    public func token() async throws -> AccessToken? { nil }; public func invalidate(_ token: AccessToken) async {}
}
public struct AuthorizedHTTPClient: HTTPClient { public init(base: any HTTPClient, tokens: any AccessTokenProvider) {}; public func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 500) } }
