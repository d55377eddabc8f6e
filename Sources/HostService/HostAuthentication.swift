import ConveyorBase
import Foundation

/// Who may call the host's listeners and REST API.
public enum HostAuthentication: Sendable {
    /// No authentication (only when asked for explicitly).
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(token: String)
    /// `Authorization: Basic <base64(user:password)>`.
    case basic(user: String, password: String)

    /// Whether an `Authorization` header value carries the expected credentials.
    /// Credentials are compared in constant time.
    public func accepts(_ authorization: String?) -> Bool {
        switch self {
        case .none:
            return true
        case .bearer(let token):
            guard let value = authorization, let given = Self.credentials(value, scheme: "bearer") else { return false }
            return Self.constantTimeEquals(Array(given.utf8), Array(token.utf8))
        case .basic(let user, let password):
            guard let value = authorization, let encoded = Self.credentials(value, scheme: "basic"),
                  let decoded = Data(base64Encoded: encoded) else { return false }
            return Self.constantTimeEquals([UInt8](decoded), Array("\(user):\(password)".utf8))
        }
    }

    /// The `WWW-Authenticate` challenge sent with 401 answers.
    public var challenge: String {
        switch self {
        case .none: return ""
        case .bearer: return "Bearer realm=\"conveyor\""
        case .basic: return "Basic realm=\"conveyor\", charset=\"UTF-8\""
        }
    }

    /// The scheme's name for logs (never the credentials).
    public var schemeName: String {
        switch self {
        case .none: return "none"
        case .bearer: return "bearer"
        case .basic: return "basic"
        }
    }

    /// The credentials after `scheme ` (scheme case-insensitive), or nil for another scheme.
    private static func credentials(_ value: String, scheme: String) -> String? {
        let trimmed = value.trimming(.whitespaces)
        guard trimmed.count > scheme.count, trimmed.prefix(scheme.count).lowercased() == scheme,
              trimmed.dropFirst(scheme.count).first == " " else { return nil }
        return trimmed.dropFirst(scheme.count + 1).trimming(.whitespaces)
    }

    /// Compares two byte strings in time that depends only on the expected length.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
