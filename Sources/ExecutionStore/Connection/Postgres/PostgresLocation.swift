import Foundation

/// Where a PostgreSQL store is: `postgres://USER@HOST:PORT/DB?sslmode=…&sslrootcert=…`.
///
/// The password never comes from the URL (it would show in process lists, shell history and
/// logs): it is given separately, from the secret store or `PGPASSWORD`.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS, with libpq's names and meanings.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Never TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate; plain otherwise.
        case prefer
        /// TLS always, without checking the certificate.
        case require
        /// TLS always; the certificate must be signed by a trusted authority (any host name).
        case verifyCA = "verify-ca"
        /// TLS always; the certificate must be trusted and name the host (the default off loopback).
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    /// A PEM file of the authorities trusted for the server's certificate; the system's when nil.
    public var caFile: String?
    /// The password, when the server asks for one.
    public var password: String?

    /// Whether `text` names a PostgreSQL store rather than a database file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `text`; a clear error names what is wrong with it.
    public init(url text: String, password: String? = nil) throws(StoreError) {
        func refuse(_ message: String) -> StoreError {
            StoreError(operation: "read the store URL", message: message, path: Self.redacted(text))
        }
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw refuse("expected postgres://USER@HOST:PORT/DATABASE")
        }
        guard components.password == nil else {
            throw refuse("the URL holds a password; give it as the secret STORE_PASSWORD or in PGPASSWORD instead")
        }
        guard let user = components.user, !user.isEmpty else { throw refuse("the URL names no user (postgres://USER@HOST/DATABASE)") }
        guard let host = components.host, !host.isEmpty else { throw refuse("the URL names no host") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw refuse("the URL names no database (postgres://USER@HOST/DATABASE)") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw refuse("port \(port) is out of range") }
        var mode: SSLMode?
        var caFile: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw refuse("sslmode '\(item.value ?? "")' is not one of "
                                 + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                mode = value
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw refuse("sslrootcert names no file") }
                caFile = value
            default:
                throw refuse("unknown parameter '\(item.name)' (known: sslmode, sslrootcert)")
            }
        }
        self.user = user.removingPercentEncoding ?? user
        self.host = host
        self.port = port
        self.database = database.removingPercentEncoding ?? database
        self.sslMode = mode ?? (Self.isLoopback(host) ? .prefer : .verifyFull)
        self.caFile = caFile
        self.password = password
    }

    /// `postgres://USER@HOST:PORT/DATABASE`, never with a password.
    public var description: String {
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    static func isLoopback(_ host: String) -> Bool {
        ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
    }

    /// `text` with anything between `//` and `@` after a `:` removed.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
              let colon = text[scheme.upperBound..<at].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":…" + String(text[at...])
    }
}
