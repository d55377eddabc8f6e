import ExecutionStore
import Foundation
import Logging

/// Runs `conveyor serve`: recovers from a crashed host, serves and schedules until SIGTERM or
/// SIGINT, then stops taking work, lets running executions finish within the grace period and
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

    private enum Event: Sendable { case signal(Int32?), serverEnded, schedulerEnded, retentionEnded }

    /// Serves until SIGTERM or SIGINT (or until the task is cancelled), then shuts down.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let logger = server.logger
        let configuration = server.configuration
        let signals = StopSignals()
        try recoverCrashedExecutions()
        try await withThrowingTaskGroup(of: Event.self) { group in
            group.addTask {
                try await server.run { port in
                    logger.info("host started", metadata: [
                        "address": "\(configuration.address)", "port": "\(port)",
                        "auth": "\(configuration.authentication.schemeName)",
                        "schedules": "\(scheduler?.jobs.count ?? 0)",
                    ])
                    await onRunning(port)
                }
                return .serverEnded
            }
            if let scheduler {
                group.addTask {
                    await scheduler.run()
                    return .schedulerEnded
                }
            }
            if let retention {
                group.addTask {
                    await retention.run()
                    return .retentionEnded
                }
            }
            group.addTask { .signal(await signals.next()) }
            while let event = try await group.next() {
                switch event {
                case .schedulerEnded, .retentionEnded:
                    continue
                case .serverEnded:
                    group.cancelAll()
                    return
                case .signal(let number):
                    logger.info("host stopping", metadata: [
                        "signal": "\(number.map(Self.signalName) ?? "cancelled")",
                        "running": "\(server.host.runningExecutionIDs.count)",
                        "gracePeriod": "\(configuration.gracePeriod)",
                    ])
                    await drain()
                    group.cancelAll()
                    return
                }
            }
        }
        logger.info("host stopped")
    }

    /// Stops new work, waits for running executions within the grace period, aborts the rest.
    func drain() async {
        server.host.stopAccepting()
        let left = await server.host.waitForRunning(timeout: server.configuration.gracePeriod)
        guard !left.isEmpty else { return }
        do {
            let aborted = try server.store.abortInProcess(
                ids: left, message: "aborted: the host stopped and the grace period of "
                    + "\(server.configuration.gracePeriod) ran out before the execution finished")
            for id in aborted {
                server.logger.warning("execution aborted at shutdown", metadata: ["execution": "\(id)"])
            }
        } catch {
            server.logger.error("could not mark unfinished executions ABORTED", metadata: ["error": "\(error)"])
        }
    }

    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(number)"
        }
    }
}
