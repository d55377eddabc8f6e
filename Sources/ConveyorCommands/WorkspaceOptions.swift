import ArgumentParser
import BigQuery
import DiskConnector
import PostgresConnector
import DocumentMapping
import ExecutionStore
import Foundation
import HTTPConnector
import ProcessEngine
import ProcessModel

/// `--workspace DIR`, shared by every command.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: "The workspace directory (processes/, connectors/, profiles/). Default: the current directory.")
    var workspace: String = "."

    @Option(name: .customLong("audit-key"),
            help: ArgumentHelp("The secret that signs the audit chain's head and purge checkpoints, as ${secret:NAME}. "
                               + "Default: ${secret:AUDIT_KEY} when that secret is set.", valueName: "${secret:NAME}"))
    var auditKey: String?

    @Option(name: .customLong("store"),
            help: ArgumentHelp("The execution store: a PostgreSQL database shared by the hosts of a cluster, as "
                               + "postgres://USER@HOST:PORT/DB[?sslmode=…&sslrootcert=FILE] (password from the secret "
                               + "STORE_PASSWORD or PGPASSWORD). Default: $CONVEYOR_STORE, else .conveyor/executions.sqlite "
                               + "in the workspace.", valueName: "url"))
    var store: String?

    /// The workspace directory as an absolute, standardised path.
    var root: String {
        let path = workspace.hasPrefix("/") ? workspace : FileManager.default.currentDirectoryPath + "/" + workspace
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The workspace's SQLite store file: `.conveyor/executions.sqlite` (output files may never be it).
    var storePath: String { root + "/.conveyor/executions.sqlite" }

    /// The store commands open: `--store`, else `CONVEYOR_STORE`, else the workspace's SQLite file.
    var storeLocation: String {
        if let store { return store }
        if let fromEnvironment = environment["CONVEYOR_STORE"], !fromEnvironment.isEmpty { return fromEnvironment }
        return storePath
    }

    /// Whether the store is a PostgreSQL database.
    var storeIsPostgres: Bool { PostgresLocation.isURL(storeLocation) }

    /// The store as shown in messages: its file, or its URL without a password.
    var storeDescription: String {
        guard storeIsPostgres else { return storeLocation }
        return (try? PostgresLocation(url: storeLocation))?.description ?? PostgresLocation.redacted(storeLocation)
    }

    /// The process's environment variables, read once: building the dictionary costs about half a
    /// million instructions, and a command asks for it many times. Nothing in the process sets them.
    var environment: [String: String] { Self.processEnvironment }

    private static let processEnvironment = ProcessInfo.processInfo.environment

    /// The connectors this host offers.
    func connectors() -> ConnectorRegistry {
        ConnectorRegistry([DiskConnector(), BigQueryConnector(environment: environment), PostgresConnector(), HTTPConnector()])
    }

    /// Loads and validates the workspace, connector settings included; prints every problem
    /// as `file:line:col: error: message` and exits 2 when there is one.
    /// `cachingValidation`: files that passed their schema in an earlier run are not validated
    /// again (``WorkspaceLoader/cachesSchemaValidation``; `conveyor run`).
    func loadWorkspace(extensions: String? = nil, cachingValidation: Bool = false) throws -> Workspace {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("no workspace at \(root): the directory does not exist")
        }
        let secrets = EnvironmentSecretStore(environment: environment,
                                             directory: environment["CONVEYOR_SECRETS_DIR"] ?? root + "/.conveyor/secrets")
        let workspace: Workspace
        do {
            var loader = WorkspaceLoader(root: root, environment: environment, secrets: secrets, extensionsFile: extensions)
            loader.cachesSchemaValidation = cachingValidation
            workspace = try loader.load()
        } catch {
            report(error.diagnostics)
            throw ExitCode(2)
        }
        let problems = (Self.connectorDiagnostics(workspace, connectors: connectors())
            + ProfilePathChecker.diagnostics(for: workspace)).sortedByLocation()
        if problems.contains(where: { $0.severity == .error }) {
            report(problems, redactor: SecretRedactor(workspace.secretValues))
            throw ExitCode(2)
        }
        return workspace
    }

    /// Prints each diagnostic with every secret value redacted (connector checks quote the
    /// settings they reject, which may hold a substituted secret).
    private func report(_ diagnostics: [Diagnostic], redactor: SecretRedactor = SecretRedactor([])) {
        for diagnostic in redactor.redact(diagnostics) { Terminal.error(diagnostic.description) }
        let count = diagnostics.filter { $0.severity == .error }.count
        Terminal.error("\(count) error\(count == 1 ? "" : "s") in workspace \(root)")
    }

    /// Asks each connector to check the connection/operation pairs the processes use.
    static func connectorDiagnostics(_ workspace: Workspace, connectors: ConnectorRegistry) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var checked = Set<String>()
        for process in workspace.processes.values.sorted(by: { $0.id < $1.id }) {
            for shape in process.shapes {
                let pair: (String, String)
                switch shape.kind {
                case .connector(let connection, let operation, _): pair = (connection, operation)
                case .start(.connector(let connection, let operation), _): pair = (connection, operation)
                case .start(.changes(let capture), _):
                    if let connection = workspace.connections[capture.connection],
                       let connector = connectors.connector(for: connection.type) as? any ChangeCaptureConnector {
                        diagnostics += connector.validate(connection: connection, capture: capture)
                    }
                    continue
                default: continue
                }
                guard checked.insert("\(pair.0)\u{0}\(pair.1)").inserted,
                      let connection = workspace.connections[pair.0],
                      let operation = workspace.operations[pair.1] else { continue }
                guard let connector = connectors.connector(for: connection.type) else {
                    diagnostics.append(Diagnostic(connection.location,
                        "connection type '\(connection.type)' is not known (known: \(connectors.types.joined(separator: ", ")))"))
                    continue
                }
                diagnostics += connector.validate(connection: connection, operation: operation)
            }
        }
        return Array(Set(diagnostics)).sorted {
            ($0.location.file, $0.location.line, $0.location.column, $0.message)
                < ($1.location.file, $1.location.line, $1.location.column, $1.message)
        }
    }

    /// Opens the workspace's execution store.
    /// `abortingOrphans` false: the caller marks unfinished executions itself (the host does, with
    /// its own message and log line).
    /// A workspace directory that does not exist is a usage error: nothing is created there.
    func openStore(abortingOrphans: Bool = true) throws -> ExecutionStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("no workspace at \(root): the directory does not exist")
        }
        if let store, !PostgresLocation.isURL(store) {
            throw ValidationError("--store takes a postgres://USER@HOST:PORT/DB URL; the SQLite store is always "
                                  + ".conveyor/executions.sqlite in the workspace (leave --store out for it)")
        }
        let key = try resolvedAuditKey()
        do {
            let store: ExecutionStore
            if storeIsPostgres {
                store = try ExecutionStore(postgres: try postgresLocation(), auditKey: key)
            } else {
                store = try ExecutionStore(path: storePath, auditKey: key)
            }
            // Executions left INPROCESS by a command that died become ABORTED (see ExecutionLease).
            if abortingOrphans { try store.abortOrphaned() }
            return store
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The PostgreSQL store with its password: the secret `STORE_PASSWORD` (environment
    /// `CONVEYOR_SECRET_STORE_PASSWORD` or the secrets directory), else `PGPASSWORD`.
    func postgresLocation() throws -> PostgresLocation {
        try postgresLocation(url: storeLocation, option: "--store")
    }

    /// The PostgreSQL store at `url` (given with `option`), with the password as ``postgresLocation()`` finds it.
    func postgresLocation(url: String, option: String) throws -> PostgresLocation {
        let secrets = EnvironmentSecretStore(environment: environment,
                                             directory: environment["CONVEYOR_SECRETS_DIR"] ?? root + "/.conveyor/secrets")
        let password = secrets.secret(named: "STORE_PASSWORD") ?? environment["PGPASSWORD"]
        do {
            return try PostgresLocation(url: url, password: password)
        } catch {
            throw ValidationError("\(option): \(error.message)")
        }
    }

    /// The audit key: the secret `--audit-key '${secret:NAME}'` names, or the secret `AUDIT_KEY`
    /// when it is set; nil without either. The key is read from the secret store (environment
    /// `CONVEYOR_SECRET_NAME` or the secrets directory), never given on the command line.
    func resolvedAuditKey() throws -> AuditKey? {
        let secrets = EnvironmentSecretStore(environment: environment,
                                             directory: environment["CONVEYOR_SECRETS_DIR"] ?? root + "/.conveyor/secrets")
        guard let auditKey else {
            return secrets.secret(named: "AUDIT_KEY").flatMap(AuditKey.init(secret:))
        }
        guard auditKey.hasPrefix("${secret:"), auditKey.hasSuffix("}") else {
            throw ValidationError("--audit-key must name a secret as ${secret:NAME}, not give the key itself")
        }
        let name = String(auditKey.dropFirst("${secret:".count).dropLast())
        guard EnvironmentSecretStore.isValidName(name) else {
            throw ValidationError("--audit-key: '\(name)' is not a valid secret name; use letters, digits, '_', '-' and '.'")
        }
        guard let value = secrets.secret(named: name), let key = AuditKey(secret: value) else {
            throw ValidationError("--audit-key: secret '\(name)' is not set (set CONVEYOR_SECRET_\(name) or write it to "
                                  + ".conveyor/secrets/\(name))")
        }
        return key
    }
}

extension [Diagnostic] {
    /// Ordered by file, line, column and message.
    func sortedByLocation() -> [Diagnostic] {
        sorted {
            ($0.location.file, $0.location.line, $0.location.column, $0.message)
                < ($1.location.file, $1.location.line, $1.location.column, $1.message)
        }
    }
}

extension Workspace {
    /// The names of the tracked fields of type `number`.
    var numberTrackedFields: Set<String> {
        Set(trackedFields.values.filter { $0.type == .number }.map(\.name))
    }
}

extension WorkspaceOptions {
    /// Whether `processes/tracked-fields.xml` declares `name` of type `number` (false when the
    /// workspace does not load: the search then compares text as written).
    /// Checks that `name` is a tracked field the workspace declares (usage error naming the
    /// declared fields otherwise). A workspace that cannot be loaded or declares no tracked
    /// fields (a directory holding only an execution store) is not checked.
    func checkTrackedField(_ name: String) throws {
        let secrets = EnvironmentSecretStore(environment: environment,
                                             directory: environment["CONVEYOR_SECRETS_DIR"] ?? root + "/.conveyor/secrets")
        guard let workspace = try? WorkspaceLoader(root: root, environment: environment, secrets: secrets).load(),
              !workspace.trackedFields.isEmpty, workspace.trackedFields[name] == nil else { return }
        let declared = workspace.trackedFields.keys.sorted()
        throw ValidationError("--field: '\(name)' is not a declared tracked field (declared: "
            + declared.joined(separator: ", ") + ")" + Suggestion.hint(for: name, in: declared))
    }

    /// Checks a `--limit` against the range the REST API accepts too.
    static func checkLimit(_ limit: Int) throws {
        guard (1...10_000).contains(limit) else {
            throw ValidationError("--limit \(limit) must be from 1 to 10000")
        }
    }

    func isNumberTrackedField(_ name: String) -> Bool {
        let secrets = EnvironmentSecretStore(environment: environment,
                                             directory: environment["CONVEYOR_SECRETS_DIR"] ?? root + "/.conveyor/secrets")
        let workspace = try? WorkspaceLoader(root: root, environment: environment, secrets: secrets).load()
        return workspace?.trackedFields[name]?.type == .number
    }
}
