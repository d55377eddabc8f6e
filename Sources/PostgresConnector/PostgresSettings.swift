import Foundation
import PostgresNIO
import ProcessEngine
import ProcessModel

/// How a `postgresql` connection protects its traffic (`<sslmode>`).
enum PostgresSSLMode: String, Sendable, CaseIterable {
    /// Plain TCP.
    case disable
    /// TLS, without checking the server's certificate.
    case require
    /// TLS, the certificate checked against the trusted roots (`<caFile>` or the system's) and the host name.
    case verifyFull = "verify-full"
}

/// The settings of a `postgresql` connection, checked.
struct PostgresConnectionSettings: Sendable {
    var id: String
    var host: String
    var port: Int
    var database: String
    var user: String
    /// Never shown in a message.
    var password: String?
    var sslMode: PostgresSSLMode
    /// An absolute path, when set.
    var caFile: String?
    var poolSize: Int

    static let defaultPort = 5432
    static let defaultPoolSize = 4

    /// `host:port`, as messages name the server.
    var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether the host is this machine (then `sslmode` defaults to `disable`).
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Reads and checks a connection's settings; every problem names its element's file and line.
    static func parse(_ connection: ConnectionDefinition, workspaceRoot: String) -> Result<Self, WorkspaceError> {
        let settings = connection.settings
        var problems: [Diagnostic] = []
        func required(_ name: String) -> String {
            guard let text = settings.text(of: name), !text.isEmpty else {
                problems.append(Diagnostic(settings.child(name)?.location ?? connection.location,
                                           "postgresql connection '\(connection.id)' needs a <\(name)>"))
                return ""
            }
            return text
        }
        func number(_ name: String, default value: Int, in range: ClosedRange<Int>) -> Int {
            guard let element = settings.child(name) else { return value }
            guard let parsed = Int(element.text), range.contains(parsed) else {
                problems.append(Diagnostic(element.location, "<\(name)> must be a whole number from "
                                           + "\(range.lowerBound) to \(range.upperBound), not '\(element.text)'"))
                return value
            }
            return parsed
        }
        let host = required("host")
        let database = required("database")
        let user = required("user")
        let port = number("port", default: defaultPort, in: 1...65535)
        let poolSize = number("poolSize", default: defaultPoolSize, in: 1...64)
        var sslMode: PostgresSSLMode = isLoopback(host) ? .disable : .verifyFull
        if let element = settings.child("sslmode") {
            if let mode = PostgresSSLMode(rawValue: element.text) {
                sslMode = mode
            } else {
                problems.append(Diagnostic(element.location, "<sslmode> must be disable, require or verify-full, "
                                           + "not '\(element.text)'"))
            }
        }
        var caFile: String?
        if let element = settings.child("caFile") {
            if element.text.isEmpty {
                problems.append(Diagnostic(element.location, "<caFile> is empty: name a PEM file of trusted certificates"))
            } else {
                caFile = element.text.hasPrefix("/") ? element.text : workspaceRoot + "/" + element.text
                if sslMode != .verifyFull {
                    problems.append(Diagnostic(element.location,
                        "<caFile> is only used with <sslmode>verify-full</sslmode> (the mode is \(sslMode.rawValue))"))
                }
            }
        }
        guard problems.isEmpty else { return .failure(WorkspaceError(problems)) }
        return .success(Self(id: connection.id, host: host, port: port, database: database, user: user,
                             password: settings.text(of: "password"), sslMode: sslMode, caFile: caFile,
                             poolSize: poolSize))
    }
}

/// The declared type of a `<parameter>`: the PostgreSQL type its text is sent as.
struct PostgresParameterType: Sendable {
    /// The name as written, for messages.
    var name: String
    var oid: PostgresDataType
    /// `bytea`: the value is base64 text, sent as its bytes.
    var isBase64: Bool { oid == .bytea }

    /// The accepted names (lower case, spaces collapsed) and their types.
    static let known: [String: PostgresDataType] = [
        "text": .text, "varchar": .varchar, "character varying": .varchar,
        "bigint": .int8, "int8": .int8, "integer": .int4, "int": .int4, "int4": .int4,
        "smallint": .int2, "int2": .int2, "numeric": .numeric, "decimal": .numeric,
        "boolean": .bool, "bool": .bool, "double precision": .float8, "float8": .float8,
        "real": .float4, "float4": .float4, "timestamptz": .timestamptz,
        "timestamp with time zone": .timestamptz, "timestamp": .timestamp,
        "timestamp without time zone": .timestamp, "date": .date, "json": .json, "jsonb": .jsonb,
        "uuid": .uuid, "bytea": .bytea,
    ]

    init?(_ text: String) {
        let normalized = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard let oid = Self.known[normalized] else { return nil }
        self.name = normalized
        self.oid = oid
    }
}

/// One `$n` parameter of a statement: its type (nil lets the server infer it) and value.
struct PostgresParameter: Sendable {
    var type: PostgresParameterType?
    var value: ValueDefinition
}

/// The settings of a `postgresql` operation, checked.
struct PostgresOperationSettings: Sendable {
    enum Action: String, Sendable { case query, execute }

    var id: String
    var action: Action
    var sql: String
    var parameters: [PostgresParameter]
    var batchCount: Int

    static let defaultBatchCount = 500

    static func parse(_ operation: OperationDefinition) -> Result<Self, WorkspaceError> {
        let settings = operation.settings
        var problems: [Diagnostic] = []
        let action = Action(rawValue: operation.action)
        if action == nil {
            problems.append(Diagnostic(operation.location,
                "postgresql operation '\(operation.id)' has action '\(operation.action)': use query or execute"))
        }
        let sql = settings.text(of: "sql") ?? ""
        if sql.isEmpty {
            problems.append(Diagnostic(settings.child("sql")?.location ?? operation.location,
                                       "postgresql operation '\(operation.id)' needs a <sql> statement"))
        }
        var parameters: [PostgresParameter] = []
        for (offset, element) in settings.children(named: "parameter").enumerated() {
            var type: PostgresParameterType?
            if let text = element.attributes["type"] {
                type = PostgresParameterType(text)
                if type == nil {
                    problems.append(Diagnostic(element.location, "parameter $\(offset + 1): '\(text)' is not a type "
                        + "this connector binds (text, varchar, bigint, integer, smallint, numeric, boolean, "
                        + "double precision, real, timestamptz, timestamp, date, json, jsonb, uuid, bytea)"))
                }
            }
            var parts: [ValueSource] = []
            for child in element.children(named: "value") {
                switch ValueSource.parse(child) {
                case .success(let source): parts.append(source)
                case .failure(let diagnostic): problems.append(diagnostic)
                }
            }
            if element.children(named: "value").isEmpty {
                problems.append(Diagnostic(element.location, "parameter $\(offset + 1) needs a <value>"))
            }
            parameters.append(PostgresParameter(type: type, value: ValueDefinition(parts: parts, location: element.location)))
        }
        var batchCount = defaultBatchCount
        if let element = settings.child("batchCount") {
            if let count = Int(element.text), (1...100_000).contains(count) {
                batchCount = count
            } else {
                problems.append(Diagnostic(element.location,
                                           "<batchCount> must be a whole number from 1 to 100000, not '\(element.text)'"))
            }
        }
        guard problems.isEmpty, let action else { return .failure(WorkspaceError(problems)) }
        return .success(Self(id: operation.id, action: action, sql: sql, parameters: parameters, batchCount: batchCount))
    }
}
