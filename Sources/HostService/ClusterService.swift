import ExecutionStore
import Foundation
import Logging
import ProcessEngine
import Synchronization

/// Makes a host one of a cluster's: the hosts of one PostgreSQL store register themselves, send
/// heartbeats, fire each schedule slot once between them, share the work queue (taken with
/// `FOR UPDATE SKIP LOCKED`, at most `workers` executions at a time per host) and take over the
/// work of a host that stopped heartbeating.
public final class ClusterService: Sendable {
    /// This host's id (`--host-id`), recorded with every execution it runs.
    public let hostID: String
    let store: ExecutionStore
    let host: ExecutionHost
    let logger: Logger
    /// Queued executions this host runs at once at most.
    public let workers: Int
    let heartbeatInterval: Duration
    /// How long a host may send no heartbeat before the others take its work over.
    public let hostTimeout: Duration
    let retryDelay: Duration
    /// How often an idle worker looks for queued work.
    let pollInterval: Duration
    private let runningWork = Mutex<Int>(0)
    /// Whether the last store call of the heartbeat or worker loop failed: while the store stays
    /// unreachable those loops fail every round, and only the first failure is logged as an error.
    private let storeDown = Mutex(false)
    private let started = Date()
    /// The address the host listens on, kept to register again after being declared dead.
    private let address = Mutex("")
    /// The build the host runs, shown on the hosts page.
    let version: String

    public init(hostID: String, store: ExecutionStore, host: ExecutionHost, logger: Logger, workers: Int,
                heartbeatInterval: Duration = .seconds(5), hostTimeout: Duration = .seconds(30),
                retryDelay: Duration = .seconds(5), pollInterval: Duration = .milliseconds(200),
                version: String = "") {
        self.version = version
        self.hostID = hostID
        self.store = store
        self.host = host
        self.logger = logger
        self.workers = max(1, workers)
        self.heartbeatInterval = heartbeatInterval
        self.hostTimeout = hostTimeout
        self.retryDelay = retryDelay
        self.pollInterval = pollInterval
        store.host = hostID
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Registers the host as running at `address`.
    public func register(address: String) throws {
        self.address.withLock { $0 = address }
        try store.registerHost(ClusterHost(id: hostID, address: address, pid: Int(ProcessInfo.processInfo.processIdentifier),
                                           version: version, workers: workers, startedAt: started, heartbeatAt: Date()))
        logger.info("cluster host registered", metadata: ["host": "\(hostID)", "workers": "\(workers)"])
    }

    /// Marks the host stopped (a clean shutdown).
    public func deregister() {
        do { try store.stopHost(hostID) } catch {
            logger.error("could not mark the host stopped", metadata: ["error": "\(error)"])
        }
    }

    /// Sends heartbeats and takes over hosts that stopped sending theirs, until cancelled.
    public func runHeartbeats() async {
        while !Task.isCancelled {
            do {
                let alive = try store.heartbeat(hostID: hostID, running: host.runningExecutionIDs.count)
                storeAnswered()
                if !alive {
                    logger.warning("the cluster declared this host dead (no heartbeat within the timeout); registering again")
                    try register(address: address.withLock { $0 })
                }
                let takeover = try store.takeOverDeadHosts(timeout: Self.seconds(hostTimeout),
                                                           retryDelay: Self.seconds(retryDelay),
                                                           newExecutionID: { ExecutionInfo.newID() })
                for dead in takeover.hosts {
                    logger.warning("cluster host stopped heartbeating; its work is taken over", metadata: ["host": "\(dead)"])
                }
                for id in takeover.aborted {
                    logger.warning("execution of a lost host or command marked ABORTED", metadata: ["execution": "\(id)"])
                }
                for id in takeover.requeued {
                    logger.notice("lost work queued again", metadata: ["execution": "\(id)"])
                }
                for id in takeover.dropped {
                    logger.warning("lost work not run again: its retries are used up", metadata: ["execution": "\(id)"])
                }
            } catch {
                storeFailed("cluster heartbeat failed", error)
            }
            try? await Task.sleep(for: heartbeatInterval)
        }
    }

    /// Logs a failed store call of the loops: an error the first time, then quietly (debug) until
    /// the store answers again, so an outage is one line in the log, not ten a second.
    private func storeFailed(_ what: String, _ error: any Error) {
        let first = storeDown.withLock { down in
            defer { down = true }
            return !down
        }
        if first {
            logger.error("\(what); retrying quietly until the execution store answers again", metadata: ["error": "\(error)"])
        } else {
            logger.debug("\(what)", metadata: ["error": "\(error)"])
        }
    }

    /// Notes a store call of the loops that succeeded; logs the end of an outage.
    private func storeAnswered() {
        let recovered = storeDown.withLock { down in
            defer { down = false }
            return down
        }
        if recovered { logger.notice("the execution store answers again") }
    }

    /// Runs queued work while there is capacity, until cancelled or the host stops accepting work.
    public func runWorkers() async {
        // Each piece of work runs in a task of its own rather than a child task: once the host stops
        // accepting work the drain waits for running executions within its grace period, and an
        // execution still running after it (marked ABORTED) must not hold up the host's exit.
        let (finished, finish) = AsyncStream<Void>.makeStream()
        var finishedWork = finished.makeAsyncIterator()
        while !Task.isCancelled, host.isAccepting {
            if runningWork.withLock({ $0 >= workers }) {
                // At capacity: the next free worker takes the next work as soon as one finishes.
                _ = await finishedWork.next()
                continue
            }
            var took = false
            do {
                let claimed = try store.claimWork(hostID: hostID)
                storeAnswered()
                if let work = claimed {
                    took = true
                    runningWork.withLock { $0 += 1 }
                    Task {
                        await self.run(work)
                        self.runningWork.withLock { $0 -= 1 }
                        finish.yield()
                    }
                }
            } catch {
                storeFailed("could not take queued work", error)
            }
            if !took { try? await Task.sleep(for: pollInterval) }
        }
    }

    /// Queues an execution of `processID` for any host of the cluster; returns its execution id.
    public func enqueue(processID: String, trigger: Trigger, properties: [String: String] = [:],
                        retries: Int = 0, executionID: String = ExecutionInfo.newID()) throws -> String {
        try store.enqueue(QueuedWork(executionID: executionID, processID: processID, trigger: trigger.rawValue,
                                     properties: properties, retriesLeft: retries))
        return executionID
    }

    /// Runs one piece of queued work and finishes it: a failed execution is queued again (trigger
    /// `retry`) while its retries allow.
    private func run(_ work: QueuedWork) async {
        let trigger = Trigger(rawValue: work.trigger) ?? .manual
        let outcome = await host.run(processID: work.processID, trigger: trigger, properties: work.properties,
                                     executionID: work.executionID)
        do {
            switch outcome {
            case .finished(let execution, _):
                var retry: QueuedWork?
                if execution.status == .error, work.retriesLeft > 0 {
                    retry = QueuedWork(executionID: ExecutionInfo.newID(), processID: work.processID, trigger: Trigger.retry.rawValue,
                                       properties: work.properties, retriesLeft: work.retriesLeft - 1, attempt: work.attempt + 1)
                    logger.info("queued a retry of a failed execution", metadata: [
                        "process": "\(work.processID)", "attempt": "\(work.attempt + 1)"])
                }
                try store.finishWork(work, retry: retry, retryAt: Date().addingTimeInterval(Self.seconds(retryDelay)))
            case .busy, .runningElsewhere:
                if trigger == .schedule || trigger == .retry {
                    // As on one host: a schedule slot that finds its process running is skipped.
                    logger.notice("schedule skipped: the process is running in this cluster", metadata: [
                        "process": "\(work.processID)"])
                    try store.finishWork(work)
                } else {
                    try store.releaseWork(work, availableAt: Date().addingTimeInterval(1))
                }
            case .stopping:
                try store.releaseWork(work, availableAt: Date())
            }
        } catch {
            logger.error("could not finish queued work", metadata: ["execution": "\(work.executionID)", "error": "\(error)"])
        }
    }
}
