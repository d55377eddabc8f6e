import Foundation
import HTTPTransport

/// Application default credentials: the file named by `GOOGLE_APPLICATION_CREDENTIALS`.
///
/// A `service_account` key file uses the JWT bearer grant; an `authorized_user` file
/// (`client_id`, `client_secret`, `refresh_token`, as written by `gcloud auth
/// application-default login`) uses the refresh token grant.
public enum ApplicationDefaultCredentials {
    /// The environment variable naming the credentials file.
    public static let variable = "GOOGLE_APPLICATION_CREDENTIALS"

    /// A provider for the credentials file named in `environment`.
    ///
    /// - Parameter tokenURL: overrides the token endpoint (otherwise the file's `token_uri`,
    ///   then `https://oauth2.googleapis.com/token`).
    public static func provider(environment: [String: String], scopes: [String], tokenURL: String? = nil,
                                http: any HTTPClient, now: @escaping @Sendable () -> Date = { Date() }) throws -> any AccessTokenProvider {
        guard let path = environment[variable], !path.isEmpty else {
            throw AuthError(kind: .applicationDefault, detail: "\(variable) is not set: point it at a service_account or authorized_user JSON file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AuthError(kind: .applicationDefault, path: path, detail: "\(variable)=\(path) cannot be read")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw AuthError(kind: .applicationDefault, path: path, detail: "\(path) is not a JSON object")
        }
        switch object["type"] as? String {
        case "service_account":
            let key = try ServiceAccountKey.parse(data, path: path)
            return JWTBearerTokenProvider(key: key, scopes: scopes, tokenURL: tokenURL, http: http, now: now)
        case "authorized_user":
            let fields = ["client_id", "client_secret", "refresh_token"]
            let missing = fields.filter { (object[$0] as? String ?? "").isEmpty }
            guard missing.isEmpty, let clientID = object["client_id"] as? String,
                  let secret = object["client_secret"] as? String, let refreshToken = object["refresh_token"] as? String else {
                throw AuthError(kind: .applicationDefault, path: path, detail: "\(path) (authorized_user) lacks \(missing.joined(separator: ", "))")
            }
            let fileTokenURL = (object["token_uri"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            let grant = RefreshTokenGrant(clientID: clientID, clientSecret: secret, source: .fixed(refreshToken, origin: path),
                                          tokenURL: tokenURL ?? fileTokenURL ?? ServiceAccountKey.defaultTokenURI, http: http)
            return CachedTokenProvider(grant: grant, now: now)
        case let type:
            throw AuthError(kind: .applicationDefault, path: path,
                            detail: "\(path) has type \"\(type ?? "")\": expected \"service_account\" or \"authorized_user\"")
        }
    }
}
