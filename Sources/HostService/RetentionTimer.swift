import ExecutionStore
import Foundation
import Logging

/// Purges executions older than the retention period when the host starts and then at a fixed
/// interval (hourly by default), logging what each purge removed.
public struct RetentionTimer: Sendable {
    /// How long executions are kept.
    public var retention: RetentionPeriod
    /// The time between purges.
    public var interval: Duration
    /// The store to purge.
    public var store: ExecutionStore
    /// Where each purge is logged.
    public var logger: Logger
    /// The current time (replaceable in tests).
    public var now: @Sendable () -> Date

    /// Creates a timer; it does nothing until ``run()``.
    public init(retention: RetentionPeriod, store: ExecutionStore, logger: Logger, interval: Duration = .seconds(3600),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.retention = retention
        self.interval = interval
        self.store = store
        self.logger = logger
        self.now = now
    }

    /// Purges once and logs the outcome; returns the checkpoint, or nil when the purge failed
    /// (the failure is logged and the next purge tries again).
    @discardableResult
    public func purgeOnce() -> AuditCheckpoint? {
        let time = now()
        do {
            let checkpoint = try store.purge(retention: retention, now: time)
            logger.info("retention purge", metadata: [
                "retention": "\(retention)",
                "cutoff": "\(HostJSON.timestamp(checkpoint.cutoff))",
                "executions": "\(checkpoint.executionsPurged)",
                "documents": "\(checkpoint.documentsPurged)",
                "records": "\(checkpoint.recordsPurged)",
                "checkpoint": "\(checkpoint.id)",
            ])
            return checkpoint
        } catch {
            logger.error("retention purge failed", metadata: ["retention": "\(retention)", "error": "\(error)"])
            return nil
        }
    }

    /// Purges now, then once every ``interval`` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            purgeOnce()
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
