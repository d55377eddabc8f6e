import ExecutionStore
import Foundation
import Logging
import ProcessEngine

/// Runs the processes' `<schedule>`s.
///
/// The last fire time of each schedule is kept in the execution store. A schedule whose next fire
/// time (after the last one) has passed fires once, however many slots were missed while the host
/// was down. A schedule seen for the first time starts counting from now. A fire that finds its
/// process still running (and not allowing simultaneous executions) is skipped. A failed
/// execution is re-run up to `retries` times with trigger `retry`.
public final class Scheduler: Sendable {
    /// The schedules this scheduler runs.
    public let jobs: [ScheduledJob]
    let host: ExecutionHost
    let store: ExecutionStore
    let logger: Logger
    let retryDelay: Duration
    let now: @Sendable () -> Date
    /// The cluster whose queue runs the fired schedules (each slot fired once across its hosts).
    public let cluster: ClusterService?

    /// One schedule that fired: its job and the task running its execution and retries.
    public struct Fired: Sendable {
        /// The schedule that fired.
        public var job: ScheduledJob
        /// Finishes with the statuses of the execution and each retry, in order.
        public var task: Task<[ExecutionStatus], Never>
    }

    /// Creates a scheduler for the workspace of `host`; `now` is the clock, replaceable in tests.
    public init(host: ExecutionHost, store: ExecutionStore, logger: Logger, retryDelay: Duration = .seconds(5),
                cluster: ClusterService? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.cluster = cluster
        self.jobs = ScheduledJob.jobs(in: host.workspace)
        self.host = host
        self.store = store
        self.logger = logger
        self.retryDelay = retryDelay
        self.now = now
    }

    /// When the schedule fires next: after its last fire time, or after `date` when it never fired.
    public func nextFire(of job: ScheduledJob, after date: Date) throws -> Date? {
        job.nextFire(after: try store.lastFire(scheduleKey: job.key) ?? date)
    }

    /// Fires every schedule that is due at `date` and returns what fired. Schedules seen for the
    /// first time are recorded as having fired at `date`.
    public func tick(at date: Date) throws -> [Fired] {
        if let cluster { return try tickInCluster(at: date, cluster: cluster) }
        var fired: [Fired] = []
        for job in jobs {
            guard let last = try store.lastFire(scheduleKey: job.key) else {
                try store.setLastFire(date, scheduleKey: job.key, processID: job.processID)
                continue
            }
            guard let next = job.nextFire(after: last), next <= date else { continue }
            try store.setLastFire(date, scheduleKey: job.key, processID: job.processID)
            if host.isBusy(job.processID) {
                logger.notice("schedule skipped: the process is still running", metadata: [
                    "process": "\(job.processID)", "cron": "\(job.schedule.cron)",
                ])
                continue
            }
            logger.info("schedule fired", metadata: [
                "process": "\(job.processID)", "cron": "\(job.schedule.cron)", "due": "\(next)",
            ])
            fired.append(Fired(job: job, task: Task { await self.runWithRetries(job) }))
        }
        return fired
    }

    /// In a cluster: fires each due slot once across the hosts (the slot and the queued execution are
    /// written in one transaction), for any host's worker to run; retries go through the queue too.
    private func tickInCluster(at date: Date, cluster: ClusterService) throws -> [Fired] {
        for job in jobs {
            let work = QueuedWork(executionID: ExecutionInfo.newID(), processID: job.processID,
                                  trigger: Trigger.schedule.rawValue, retriesLeft: max(0, job.schedule.retries))
            let fired = try store.fireScheduleSlot(key: job.key, processID: job.processID, at: date,
                                                   next: { job.nextFire(after: $0) }, work: work)
            if fired {
                logger.info("schedule fired", metadata: [
                    "process": "\(job.processID)", "cron": "\(job.schedule.cron)", "execution": "\(work.executionID)",
                    "host": "\(cluster.hostID)",
                ])
            }
        }
        return []
    }

    /// Runs until the task is cancelled: sleeps until the next schedule is due, then fires it.
    public func run() async {
        guard !jobs.isEmpty else { return }
        while !Task.isCancelled {
            do {
                _ = try tick(at: now())
                let current = now()
                let upcoming = try jobs.compactMap { try nextFire(of: $0, after: current) }.min()
                let wait = max(0.05, min(upcoming.map { $0.timeIntervalSince(current) } ?? 60, 60))
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            } catch is CancellationError {
                return
            } catch {
                logger.error("scheduler could not read or store fire times", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }

    private func runWithRetries(_ job: ScheduledJob) async -> [ExecutionStatus] {
        var statuses: [ExecutionStatus] = []
        var trigger = Trigger.schedule
        for attempt in 0...max(0, job.schedule.retries) {
            if attempt > 0 {
                try? await Task.sleep(for: retryDelay)
                logger.info("retrying failed scheduled execution", metadata: [
                    "process": "\(job.processID)", "attempt": "\(attempt)", "of": "\(job.schedule.retries)",
                ])
            }
            guard case .finished(let execution, _) = await host.run(processID: job.processID, trigger: trigger) else {
                break
            }
            statuses.append(execution.status)
            guard execution.status == .error else { break }
            trigger = .retry
        }
        return statuses
    }
}
