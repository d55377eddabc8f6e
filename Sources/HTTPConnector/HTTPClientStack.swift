import Foundation
import HTTPTransport
import ProcessEngine

/// An ``HTTPClient`` that sends each request (each attempt, when retried) through a connection's
/// ``HTTPRateLimiter``.
struct RateLimitedHTTPClient: HTTPClient {
    let base: any HTTPClient
    let limiter: HTTPRateLimiter

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await limiter.acquire()
        do {
            let response = try await base.send(request)
            await limiter.release()
            return response
        } catch {
            await limiter.release()
            throw error
        }
    }
}

/// Adds a connection's credentials to requests: a header, a query parameter, or an OAuth 2.0
/// access token fetched with the client credentials grant and cached until shortly before it expires.
actor HTTPAuthorizer {
    private let auth: HTTPAuth
    private let client: any HTTPClient
    /// An access token and when to stop using it.
    typealias Token = (value: String, expires: ContinuousClock.Instant)
    private var token: Token?
    private var pending: Task<Token, any Error>?

    init(auth: HTTPAuth, client: any HTTPClient) {
        self.auth = auth
        self.client = client
    }

    /// `request` with the credentials added.
    func authorize(_ request: HTTPRequest) async throws -> HTTPRequest {
        switch auth {
        case .none:
            return request
        case .basic(let user, let password):
            let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
            return request.settingHeader("Authorization", "Basic " + encoded)
        case .bearer(let token):
            return request.settingHeader("Authorization", "Bearer " + token)
        case .apiKey(let name, let inQuery, let key):
            guard inQuery else { return request.settingHeader(name, key) }
            var copy = request
            copy.url += (copy.url.contains("?") ? "&" : "?") + HTTPURL.encodeQuery(name) + "=" + HTTPURL.encodeQuery(key)
            return copy
        case .clientCredentials(let tokenURL, let clientID, let clientSecret, let scope):
            if let token, ContinuousClock.now < token.expires {
                return request.settingHeader("Authorization", "Bearer " + token.value)
            }
            // One fetch at a time: requests that need a token while it is fetched wait for the same answer.
            let task: Task<Token, any Error>
            if let pending {
                task = pending
            } else {
                let client = client
                task = Task { try await Self.fetchToken(client: client, tokenURL: tokenURL, clientID: clientID,
                                                        clientSecret: clientSecret, scope: scope) }
                pending = task
            }
            do {
                let fresh = try await task.value
                if pending == task {
                    token = fresh
                    pending = nil
                }
                return request.settingHeader("Authorization", "Bearer " + fresh.value)
            } catch {
                if pending == task { pending = nil }
                throw error
            }
        }
    }

    /// Forgets a cached token the API refused (answered 401), so the next request fetches another.
    /// Returns whether there was one to forget.
    func refuse() -> Bool {
        guard case .clientCredentials = auth, token != nil else { return false }
        token = nil
        return true
    }

    private static func fetchToken(client: any HTTPClient, tokenURL: String, clientID: String, clientSecret: String,
                                   scope: String?) async throws -> Token {
        var form = "grant_type=client_credentials&client_id=" + HTTPURL.encodeQuery(clientID)
            + "&client_secret=" + HTTPURL.encodeQuery(clientSecret)
        if let scope { form += "&scope=" + HTTPURL.encodeQuery(scope) }
        let request = HTTPRequest(method: "POST", url: tokenURL,
                                  headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
                                            HTTPHeader("Accept", "application/json")],
                                  body: Array(form.utf8))
        let response = try await client.send(request)
        let answer = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard response.isSuccess, let value = answer?["access_token"] as? String, !value.isEmpty else {
            let reason = (answer?["error"] as? String).map { " (\($0))" } ?? ""
            throw DocumentError("the token endpoint \(request.redactedURL) refused the client credentials: "
                                     + "HTTP \(response.status)\(reason)", code: .unavailable)
        }
        let lifetime = (answer?["expires_in"] as? NSNumber)?.doubleValue ?? 3600
        // Renewed a minute early (or at half its life, when short) so a request never carries an expired token.
        let margin = min(60, lifetime / 2)
        return (value, ContinuousClock.now + .milliseconds(Int64((lifetime - margin) * 1000)))
    }
}
