import ExecutionStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs `conveyor serve`: recovers from a crashed host, serves and schedules until SIGTERM or
/// SIGINT (the graceful shutdown of a swift-service-lifecycle `ServiceGroup`), then stops taking work, lets running executions finish within the grace period and
/// marks the rest ABORTED.
public struct HostLifecycle: Sendable {
    /// The HTTP server (its host runs every execution).
    public var server: HostServer
    /// The scheduler, or nil to run no schedules.
    public var scheduler: Scheduler?
    /// Purges old executions on start and then periodically, or nil to keep everything.
    public var retention: RetentionTimer?

    /// Creates a lifecycle for a server, an optional scheduler and an optional retention timer.
    public init(server: HostServer, scheduler: Scheduler?, retention: RetentionTimer? = nil) {
        self.server = server
        self.scheduler = scheduler
        self.retention = retention
    }

    /// Marks executions left `INPROCESS` by a host that died as `ABORTED`; returns their ids.
    /// Executions whose command still runs (a `conveyor run` holding its lease) are left alone.
    @discardableResult
    public func recoverCrashedExecutions() throws -> [String] {
        // Executions whose command could not record their end are ERROR with the reason it left.
        for id in try server.store.abortOrphaned(notedOnly: true) {
            server.logger.warning("execution whose end could not be recorded marked ERROR", metadata: ["execution": "\(id)"])
        }
        let live = try server.store.liveExecutionIDs()
        let left = try server.store.executions(matching: ExecutionQuery(status: .inProcess, limit: 0))
            .map(\.id).filter { !live.contains($0) }
        guard !left.isEmpty else { return [] }
        let ids = try server.store.abortInProcess(
            ids: left, message: "aborted: the host stopped (crash or kill) before the execution finished")
        for id in ids {
            server.logger.warning("execution left unfinished by a previous host marked ABORTED",
                                  metadata: ["execution": "\(id)"])
        }
        return ids
    }

    /// Serves until SIGTERM or SIGINT, then drains and stops.
    ///
    /// The HTTP server, the scheduler, the retention timer and the drain run as services of one
    /// `ServiceGroup`. A signal starts its graceful shutdown, which reaches the last service first:
    /// the drain stops new work (requests get `503` while the server keeps answering), waits for
    /// running executions within the grace period and marks the rest `ABORTED`; then everything
    /// else stops at once, as in-flight requests of aborted executions are not waited for.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let logger = server.logger
        let configuration = server.configuration
        try recoverCrashedExecutions()
        let application = server.makeApplication { port in
            logger.info("host started", metadata: [
                "address": "\(configuration.address)", "port": "\(port)",
                "auth": "\(configuration.authentication.schemeName)",
                "schedules": "\(scheduler?.jobs.count ?? 0)",
            ])
            await onRunning(port)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application)]
        if let cluster = server.cluster {
            try cluster.register(address: "\(configuration.address):\(configuration.port)")
            server.host.metrics.setQueueDepthProvider { (try? server.store.queueDepth()) ?? 0 }
            services.append(.init(service: Background { await cluster.runHeartbeats() }, successTerminationBehavior: .ignore))
            // The workers stop taking work when the drain stops the host accepting it; the service
            // then waits for the group to end, as a service ending during the graceful shutdown of
            // another (the drain) fails the group.
            services.append(.init(service: Background(cancelledOnShutdown: false) {
                await cluster.runWorkers()
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }, successTerminationBehavior: .ignore))
        }
        if let scheduler {
            services.append(.init(service: Background { await scheduler.run() }, successTerminationBehavior: .ignore))
        }
        let changes = ChangeCaptureService(host: server.host, logger: logger)
        if !changes.isEmpty {
            services.append(.init(service: Background { await changes.run() }, successTerminationBehavior: .ignore))
        }
        if let retention {
            services.append(.init(service: Background { await retention.run() }, successTerminationBehavior: .ignore))
        }
        services.append(.init(service: Background(cancelledOnShutdown: false) { try await drainOnShutdown() }))
        var group = ServiceGroupConfiguration(services: services, logger: logger)
        group.gracefulShutdownSignals = [.sigterm, .sigint]
        do {
            try await ServiceGroup(configuration: group).run()
        } catch is Drained {
            // The drain ended the group: the host stopped as asked.
        }
        logger.info("host stopped")
    }

    /// Thrown by the drain once done, so that the group stops every other service at once.
    private struct Drained: Error {}

    /// Waits for the group's graceful shutdown, drains, and throws ``Drained``.
    private func drainOnShutdown() async throws {
        try await gracefulShutdown()
        server.logger.info("host stopping", metadata: [
            "running": "\(server.host.runningExecutionIDs.count)",
            "gracePeriod": "\(server.configuration.gracePeriod)",
        ])
        await drain()
        throw Drained()
    }

    /// Stops new work, waits for running executions within the grace period, aborts the rest.
    func drain() async {
        server.host.stopAccepting()
        let left = await server.host.waitForRunning(timeout: server.configuration.gracePeriod)
        defer { server.cluster?.deregister() }
        guard !left.isEmpty else { return }
        do {
            let aborted = try server.store.abortInProcess(
                ids: left, message: "aborted: the host stopped and the grace period of "
                    + "\(server.configuration.gracePeriod) ran out before the execution finished")
            for id in aborted {
                server.logger.warning("execution aborted at shutdown", metadata: ["execution": "\(id)"])
            }
            server.host.countAborted(aborted)
        } catch {
            server.logger.error("could not mark unfinished executions ABORTED", metadata: ["error": "\(error)"])
        }
    }
}

/// A task run as a service of the host's group.
private struct Background: Service {
    /// Whether the group's graceful shutdown cancels the task (else the task watches for it).
    let cancelledOnShutdown: Bool
    let body: @Sendable () async throws -> Void

    init(cancelledOnShutdown: Bool = true, _ body: @escaping @Sendable () async throws -> Void) {
        self.cancelledOnShutdown = cancelledOnShutdown
        self.body = body
    }

    func run() async throws {
        if cancelledOnShutdown {
            try await cancelWhenGracefulShutdown(body)
        } else {
            try await body()
        }
    }
}
