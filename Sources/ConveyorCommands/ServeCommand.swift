import ArgumentParser
import ExecutionStore
import Foundation
import HostService
import Logging
import ProcessEngine
import ProcessModel

/// `conveyor serve`: runs schedules, HTTP listeners and the REST API until stopped.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the workspace's schedules, HTTP listeners and REST API until SIGTERM or SIGINT.",
        discussion: """
            Requests must authenticate: --auth bearer:SECRET (Authorization: Bearer <value of SECRET>) or \
            --auth basic:USER_SECRET:PASSWORD_SECRET, the secrets read from the secret store \
            (CONVEYOR_SECRET_<NAME> or .conveyor/secrets/<NAME>). --no-auth serves without authentication. \
            On SIGTERM or SIGINT the host stops taking work, lets running executions finish within \
            --grace-period and marks the rest ABORTED. The Process Reporting pages are served under \
            /reporting/ with the same authentication (use basic authentication to open them in a browser). \
            GET /healthz and GET /readyz answer liveness and readiness probes without authentication; \
            GET /metrics serves Prometheus metrics with the same authentication as the API. \
            --retention purges old executions on start and hourly. Logs go to stderr, one line per event.
            """
    )

    @Option(name: .long, help: "The address to listen on.")
    var address = "127.0.0.1"

    @Option(name: .long, help: "The TCP port (0 picks a free port; the log line 'host started' shows it).")
    var port = 8080

    @Option(name: .long, help: ArgumentHelp("bearer:SECRET or basic:USER_SECRET:PASSWORD_SECRET (secret names).",
                                           valueName: "scheme:secrets"))
    var auth: String?

    @Flag(name: .customLong("no-auth"), help: "Serve without authentication (for local use only).")
    var noAuth = false

    @Option(name: .customLong("max-body"), help: "The largest request body accepted (such as 10MB, 512KB).")
    var maxBody = "10MB"

    @Option(name: .customLong("grace-period"), help: "How long running executions may take to finish on shutdown (such as 30s, 2m).")
    var gracePeriod = "30s"

    @Option(name: .customLong("retry-delay"), help: "The wait before re-running a failed scheduled execution.")
    var retryDelay = "5s"

    @Option(name: .customLong("idle-timeout"),
            help: "How long a connection may send nothing before it is closed (such as 60s, 500ms).")
    var idleTimeout = "60s"

    @Flag(name: .customLong("no-schedules"), help: "Do not run the processes' schedules.")
    var noSchedules = false

    @Option(name: .long, help: ArgumentHelp(
        "Purge executions started longer ago than this (such as 90d, 12h, 4w) on start and then every hour.",
        valueName: "period"))
    var retention: String?

    @Flag(name: .customLong("no-reporting"), help: "Do not serve the Process Reporting pages under /reporting/.")
    var noReporting = false

    @Option(name: .customLong("host-id"),
            help: "This host's name in a cluster (a PostgreSQL --store). Default: the machine's name and the pid.")
    var hostID: String?

    @Option(name: .long, help: "In a cluster: queued executions (schedules, retries, ?wait=false triggers) this host runs at once.")
    var workers = 4

    @Option(name: .customLong("heartbeat"), help: "In a cluster: how often the host says it is alive (such as 5s).")
    var heartbeat = "5s"

    @Option(name: .customLong("host-timeout"),
            help: "In a cluster: how long a host may miss heartbeats before the others take its work over (such as 30s).")
    var hostTimeout = "30s"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var extensions: ExtensionsOption

    func validate() throws {
        if auth == nil && !noAuth {
            throw ValidationError("serve needs --auth bearer:SECRET or --auth basic:USER_SECRET:PASSWORD_SECRET "
                                  + "(or --no-auth to serve without authentication)")
        }
        if auth != nil && noAuth { throw ValidationError("give --auth or --no-auth, not both") }
        if let retention, RetentionPeriod(retention) == nil {
            throw ValidationError("--retention '\(retention)' must be a positive number and a unit: "
                                  + "m (minutes), h (hours), d (days) or w (weeks), such as 90d, "
                                  + "from \(RetentionPeriod.allowedRange)")
        }
        guard (1...1_000).contains(workers) else { throw ValidationError("--workers \(workers) must be from 1 to 1000") }
        if let hostID, hostID.isEmpty || hostID.count > 200 || hostID.contains(where: { $0.isNewline }) {
            throw ValidationError("--host-id must be 1 to 200 characters on one line")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in OneLineLogHandler(label: label, level: level) }
        let logger = Logger(label: "conveyor.serve")
        let configuration: HostConfiguration
        do {
            configuration = HostConfiguration(
                address: address, port: port, authentication: try authentication(),
                maxBodyBytes: try HostConfiguration.byteSize(maxBody),
                gracePeriod: try HostConfiguration.duration(gracePeriod),
                retryDelay: try HostConfiguration.duration(retryDelay),
                idleTimeout: try HostConfiguration.duration(idleTimeout))
        } catch let error as HostConfigurationError {
            throw ValidationError(error.description)
        }
        let workspace = try options.loadWorkspace(extensions: extensions.extensions)
        // The host's lifecycle marks what a previous host (or command) left unfinished, and logs it.
        let store = try options.openStore(abortingOrphans: false)
        let redactor = SecretRedactor(workspace.secretValues)
        let recorder = StoreRecorder(store: store, redactor: redactor, numberFields: workspace.numberTrackedFields)
        var runner = ProcessRunner(workspace: workspace, connectors: options.connectors(), recorder: recorder,
                                   environment: options.environment, registry: ExecutionRegistry())
        runner.checkpoints = store
        runner.progress = HostRetryLog(logger: logger, redactor: redactor)
        // Processes with allowSimultaneous="false" take the lock `conveyor run` takes: the cluster's
        // on a PostgreSQL store, the workspace's lock file otherwise.
        if store.sharesProcessLocks {
            runner.processLocks = store
        } else {
            runner.processLockRoot = options.root
        }
        let host = ExecutionHost(runner: runner, logger: logger)
        var server = HostServer(configuration: configuration, host: host, store: store, logger: logger,
                                extraRoutes: noReporting ? [] : [ReportingRoutes()])
        server.cluster = try cluster(store: store, host: host, logger: logger, retryDelay: configuration.retryDelay)
        let purger = retention.flatMap(RetentionPeriod.init).map {
            RetentionTimer(retention: $0, store: store, logger: logger)
        }
        let scheduler = noSchedules ? nil
            : Scheduler(host: host, store: store, logger: logger, retryDelay: configuration.retryDelay,
                        cluster: server.cluster)
        do {
            try await HostLifecycle(server: server, scheduler: scheduler, retention: purger).run()
        } catch {
            logger.critical("host failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    /// The cluster this host joins on a PostgreSQL store; nil on SQLite.
    private func cluster(store: ExecutionStore, host: ExecutionHost, logger: Logger,
                         retryDelay: Duration) throws -> ClusterService? {
        guard store.postgres != nil else { return nil }
        let beat = try parsedDuration(heartbeat)
        let timeout = try parsedDuration(hostTimeout)
        guard timeout > beat * 2 else {
            throw ValidationError("--host-timeout \(hostTimeout) must be more than twice --heartbeat \(heartbeat)")
        }
        let name = hostID ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        return ClusterService(hostID: name, store: store, host: host, logger: logger, workers: workers,
                              heartbeatInterval: beat, hostTimeout: timeout, retryDelay: retryDelay,
                              version: ConveyorVersion.current)
    }

    private func parsedDuration(_ text: String) throws -> Duration {
        do {
            return try HostConfiguration.duration(text)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The authentication `--auth` asks for, with its secrets read from the secret store.
    private func authentication() throws -> HostAuthentication {
        guard let auth else { return .none }
        let parts = auth.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let secrets = EnvironmentSecretStore(environment: options.environment,
                                             directory: options.environment["CONVEYOR_SECRETS_DIR"]
                                                 ?? options.root + "/.conveyor/secrets")
        func secret(_ name: String) throws -> String {
            guard let value = secrets.secret(named: name), !value.isEmpty else {
                throw ValidationError("--auth: secret '\(name)' is not set (set CONVEYOR_SECRET_\(name) or write "
                                      + "it to .conveyor/secrets/\(name))")
            }
            return value
        }
        switch (parts.first?.lowercased(), parts.count) {
        case ("bearer", 2): return .bearer(token: try secret(parts[1]))
        case ("basic", 3): return .basic(user: try secret(parts[1]), password: try secret(parts[2]))
        default:
            throw ValidationError("--auth '\(auth)' must be bearer:SECRET or basic:USER_SECRET:PASSWORD_SECRET")
        }
    }
}
