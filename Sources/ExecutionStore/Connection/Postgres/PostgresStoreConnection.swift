import ConveyorBase
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to a PostgreSQL store, used synchronously like ``SQLiteConnection``.
///
/// Each call sends one statement (extended protocol, parameters bound, never spliced) and waits
/// for its answer on a thread of the store's own event loop group, so a caller never blocks an
/// event loop it depends on. Not thread-safe by itself: ``ExecutionStore`` keeps it under a lock.
final class PostgresStoreConnection: StoreConnection {
    let path: String
    var dialect: SQLDialect { .postgres }
    private(set) var changes = 0
    private var connection: PostgresConnection
    private let location: PostgresLocation
    private let purpose: String
    /// Whether a transaction is open (a lost connection is then an error, never reopened).
    private var inTransaction = false
    /// Whether the open transaction is a read transaction (its SELECTs stream through cursors).
    private var readTransaction = false
    private var cursors = 0
    private var translated: [String: (sql: String, referenced: Set<Int>)] = [:]

    /// The store's event loop: one thread, used by nothing else.
    private static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// PostgresNIO logs nothing through the store: failures come back as errors.
    private static let logger = Logger(label: "conveyor.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Every write transaction takes this transaction-level advisory lock first, so writers run one
    /// at a time across the cluster, as SQLite's write lock makes them run on one machine.
    static let writerLock = "hashtextextended('conveyor.store.writer', 0)"

    /// Connects to `location`; `purpose` names the connection on the server (`application_name`).
    init(location: PostgresLocation, purpose: String) throws {
        path = location.description
        self.location = location
        self.purpose = purpose
        connection = try Self.connect(location, purpose: purpose)
    }

    private static func connect(_ location: PostgresLocation, purpose: String,
                                timeout: TimeAmount = .seconds(10)) throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: try Self.tls(location))
        configuration.options.connectTimeout = timeout
        configuration.options.additionalStartupParameters = [("application_name", "conveyor \(purpose)")]
        do {
            return try PostgresConnection.connect(
                on: Self.eventLoops.next(), configuration: configuration, id: 1, logger: Self.logger).wait()
        } catch {
            throw Self.storeError(error, operation: "connect to the store", path: location.description)
        }
    }

    deinit {
        // Waits for the close (PostgresNIO requires a closed connection when it is released),
        // except on an event loop thread (the store's own, where waiting would block the close
        // itself, or a server's, where a store may be released last and NIO forbids waiting):
        // there the close completes later, the connection kept alive until it has.
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            let closing = connection
            closing.close().whenComplete { _ in withExtendedLifetime(closing) {} }
        } else {
            try? connection.close().wait()
        }
    }

    private static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch location.sslMode {
        case .disable: return .disable
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let caFile = location.caFile {
            configuration.trustRoots = .file(caFile)
        }
        do {
            let context = try NIOSSLContext(configuration: configuration)
            return location.sslMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw StoreError(operation: "set up TLS for the store",
                             message: "\(error) (sslrootcert \(location.caFile ?? "not set"))",
                             path: location.description)
        }
    }

    func query(_ sql: String, _ bindings: [StoreValue], operation: String, row: (StoreRow) throws -> Void) throws {
        let statement = translate(sql)
        var binds = PostgresBindings(capacity: bindings.count)
        for (offset, value) in bindings.enumerated() {
            switch value {
            case .null where !statement.referenced.contains(offset + 1):
                // A parameter the statement does not use still needs a type.
                binds.append(PostgresData(type: .text, value: nil))
            case .null: binds.appendNull()
            case .integer(let number): binds.append(number)
            case .text(let text): binds.append(text)
            case .blob(let bytes): binds.append(ByteBuffer(bytes: bytes))
            }
        }
        if connection.isClosed {
            // The server ended the session (restart, failover, terminated backend). Outside a
            // transaction nothing was lost with it: connect again; inside one, the transaction is gone.
            guard !inTransaction else {
                throw StoreError(operation: operation, message: "the connection was closed during the transaction",
                                 path: path)
            }
            connection = try Self.connect(location, purpose: purpose)
        }
        if readTransaction, Self.isSelect(statement.sql) {
            try scan(statement.sql, binds, operation: operation, row: row)
            return
        }
        let result = try send(statement.sql, binds, operation: operation)
        changes = result.metadata.rows ?? 0
        for found in result.rows {
            try row(StoreRow(values: found.map(Self.value(of:))))
        }
    }

    private func send(_ sql: String, _ binds: PostgresBindings, operation: String) throws -> PostgresQueryResult {
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger).wait()
        } catch {
            throw Self.storeError(error, operation: operation, path: path)
        }
    }

    /// Rows fetched from a cursor at a time by a read transaction's scans.
    static let scanBatch = 2_000

    /// A SELECT in a read transaction runs through a cursor, `scanBatch` rows at a time, so a scan
    /// of millions of rows (verifying, exporting) keeps memory bounded; the row callback may run
    /// other statements on the connection between batches.
    private func scan(_ sql: String, _ binds: PostgresBindings, operation: String, row: (StoreRow) throws -> Void) throws {
        cursors += 1
        let name = "conveyor_scan_\(cursors)"
        _ = try send("DECLARE \(name) NO SCROLL CURSOR FOR \(sql)", binds, operation: operation)
        while true {
            let batch = try send("FETCH \(Self.scanBatch) FROM \(name)", PostgresBindings(), operation: operation)
            for found in batch.rows {
                try row(StoreRow(values: found.map(Self.value(of:))))
            }
            if batch.rows.count < Self.scanBatch { break }
        }
        _ = try send("CLOSE \(name)", PostgresBindings(), operation: operation)
    }

    private static func isSelect(_ sql: String) -> Bool {
        let head = sql.drop(while: { $0.isWhitespace }).prefix(6).uppercased()
        return head.hasPrefix("SELECT") || head.hasPrefix("WITH")
    }

    func executeScript(_ sql: String, operation: String) throws {
        for statement in Self.statements(in: sql) {
            try query(statement, [], operation: operation) { _ in }
        }
    }

    func transaction<T>(_ kind: TransactionKind, operation: String, _ body: () throws -> T) throws -> T {
        switch kind {
        case .write:
            try executeScript("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(\(Self.writerLock))",
                              operation: operation)
        case .read:
            try executeScript("BEGIN ISOLATION LEVEL REPEATABLE READ", operation: operation)
        }
        inTransaction = true
        readTransaction = kind == .read
        defer {
            inTransaction = false
            readTransaction = false
        }
        do {
            let result = try body()
            try executeScript("COMMIT", operation: operation)
            return result
        } catch {
            if !connection.isClosed { _ = try? connection.query("ROLLBACK", logger: Self.logger).wait() }
            throw error
        }
    }

    /// `sql` with SQLite's `?N` and `?` parameters written as PostgreSQL's `$N` (outside quotes),
    /// and the parameter numbers it uses.
    private func translate(_ sql: String) -> (sql: String, referenced: Set<Int>) {
        if let done = translated[sql] { return done }
        var output = ""
        output.reserveCapacity(sql.utf8.count + 8)
        var quote: Character?
        var next = 1
        var referenced: Set<Int> = []
        var characters = sql.makeIterator()
        var pending: Character? = characters.next()
        while let character = pending {
            pending = characters.next()
            if let open = quote {
                output.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                output.append(character)
            case "?":
                var digits = ""
                while let digit = pending, digit.isASCII, digit.isNumber {
                    digits.append(digit)
                    pending = characters.next()
                }
                let number = digits.isEmpty ? next : Int(digits) ?? 0
                output += "$\(number)"
                referenced.insert(number)
                next = number + 1
            default:
                output.append(character)
            }
        }
        translated[sql] = (output, referenced)
        return (output, referenced)
    }

    /// The statements of a `;`-separated script (semicolons inside quotes are kept).
    static func statements(in script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var quote: Character?
        for character in script {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                current.append(character)
            } else if character == ";" {
                statements.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        statements.append(current)
        return statements.map { $0.trimming(.whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// A result cell as the store reads it: integers, text and bytes.
    private static func value(of cell: PostgresCell) -> StoreValue {
        guard let bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2:
            return (try? cell.decode(Int64.self)).map { .integer($0) } ?? .null
        case .numeric:
            guard let decimal = try? cell.decode(Decimal.self) else { return .null }
            return .integer(NSDecimalNumber(decimal: decimal).int64Value)
        case .bool:
            return .integer((try? cell.decode(Bool.self)) == true ? 1 : 0)
        case .bytea:
            return .blob(Array(bytes.readableBytesView))
        default:
            if let text = try? cell.decode(String.self) { return .text(text) }
            return .text(String(decoding: bytes.readableBytesView, as: UTF8.self))
        }
    }

    /// A store error from a PostgresNIO error: the server's SQLSTATE and message, or why the
    /// connection failed; never the statement's parameters.
    static func storeError(_ error: any Error, operation: String, path: String) -> StoreError {
        guard let failure = error as? PSQLError else {
            return StoreError(operation: operation, message: String(describing: error), path: path)
        }
        if let server = failure.serverInfo {
            var message = server[.message] ?? "the server refused the statement"
            if let detail = server[.detail] { message += " (\(detail))" }
            return StoreError(operation: operation, sqlState: server[.sqlState] ?? "XX000", message: message, path: path)
        }
        var message: String
        switch failure.code {
        case .connectionError: message = "cannot reach the server"
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown: message = "the connection was closed"
        case .sslUnsupported: message = "the server does not offer TLS (sslmode requires it)"
        case .authMechanismRequiresPassword: message = "the server asks for a password: set the secret STORE_PASSWORD or PGPASSWORD"
        default: message = "\(failure.code)"
        }
        if let underlying = failure.underlying { message += ": " + describe(underlying) }
        return StoreError(operation: operation, message: message, path: path)
    }

    /// A connection failure in words (`127.0.0.1:5432: connection refused`), not NIO's structure.
    private static func describe(_ error: any Error) -> String {
        func reason(_ error: any Error) -> String {
            guard let io = error as? IOError else { return String(describing: error) }
            return String(cString: strerror(io.errnoCode)).lowercased()
        }
        guard let connect = error as? NIOConnectionError else { return reason(error) }
        if let lookup = connect.dnsAError ?? connect.dnsAAAAError, connect.connectionErrors.isEmpty {
            return "\(connect.host): cannot resolve the name (\(lookup))"
        }
        let attempts = connect.connectionErrors.map { attempt in
            "\(attempt.target.ipAddress ?? connect.host):\(attempt.target.port ?? connect.port): \(reason(attempt.error))"
        }
        return attempts.isEmpty ? "\(connect.host):\(connect.port): no address to connect to" : attempts.joined(separator: "; ")
    }
}
