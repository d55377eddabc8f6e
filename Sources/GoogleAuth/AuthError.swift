/// Why an access token could not be obtained.
///
/// Names the key file or token URL, the HTTP status and the OAuth `error` and
/// `error_description`; never the assertion, the private key or a token.
public struct AuthError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The service-account key file is missing, unreadable or incomplete.
        case keyFile
        /// The private key could not be loaded or used for signing.
        case signing
        /// The token endpoint refused the request.
        case tokenEndpoint
        /// The token endpoint answered with something that is not a token.
        case malformedResponse
        /// A `<signatureKey>` file (PEM or PKCS#12) is missing, unreadable or has a wrong password.
        case signatureKey
        /// No refresh token is stored for an authorization-code connection.
        case noStoredCredentials
        /// The token endpoint refused the stored refresh token (`invalid_grant`).
        case refreshTokenRefused
        /// Application default credentials are not configured or not usable.
        case applicationDefault
        /// The local credential store cannot be read or written.
        case credentialStore
        /// The browser sign-in (authorization code flow) did not complete.
        case authorization
    }

    /// What went wrong.
    public var kind: Kind
    /// The key file concerned, for ``Kind/keyFile``.
    public var path: String?
    /// The connection concerned, for stored credentials.
    public var connection: String?
    /// The token endpoint concerned.
    public var tokenURL: String?
    /// The HTTP status of the token endpoint's answer.
    public var status: Int?
    /// The OAuth `error` code, such as `invalid_grant`.
    public var oauthError: String?
    /// The OAuth `error_description`.
    public var oauthErrorDescription: String?
    /// A short explanation for the other cases.
    public var detail: String

    /// Creates an error.
    public init(
        kind: Kind,
        path: String? = nil,
        connection: String? = nil,
        tokenURL: String? = nil,
        status: Int? = nil,
        oauthError: String? = nil,
        oauthErrorDescription: String? = nil,
        detail: String = ""
    ) {
        self.kind = kind
        self.path = path
        self.connection = connection
        self.tokenURL = tokenURL
        self.status = status
        self.oauthError = oauthError
        self.oauthErrorDescription = oauthErrorDescription
        self.detail = detail
    }

    /// A one-line explanation naming the key file or token URL, status and OAuth error.
    public var description: String {
        switch kind {
        case .keyFile:
            return "service account key \(path ?? "?"): \(detail)"
        case .signing:
            return "cannot sign the token request: \(detail)"
        case .signatureKey:
            return "signature key \(path ?? "?"): \(detail)"
        case .noStoredCredentials:
            return "no stored credentials for connection \(connection ?? "?"): run `conveyor auth login \(connection ?? "?")`"
        case .refreshTokenRefused:
            return "the stored refresh token for connection \(connection ?? "?") was refused (\(oauthError ?? "invalid_grant")): "
                + "run `conveyor auth login \(connection ?? "?")`"
        case .applicationDefault:
            return "application default credentials: \(detail)"
        case .credentialStore:
            return "credential store \(path ?? "?"): \(detail)"
        case .authorization:
            return "sign-in for connection \(connection ?? "?") failed: \(detail)"
        case .tokenEndpoint, .malformedResponse:
            var text = "token request to \(tokenURL ?? "?") failed"
            if let status {
                text += " with HTTP \(status)"
            }
            if let oauthError {
                text += ": \(oauthError)"
                if let oauthErrorDescription, !oauthErrorDescription.isEmpty {
                    text += " (\(oauthErrorDescription))"
                }
            } else if !detail.isEmpty {
                text += ": \(detail)"
            }
            return text
        }
    }
}
