import CoreMetrics
import Foundation
import Prometheus
import ProcessEngine
import Synchronization

/// The operations metrics of one host, served by `GET /metrics` in the Prometheus text format.
///
/// The metrics are recorded through swift-metrics (`Counter`, `Timer`, `Gauge`) with a factory
/// bound to a `PrometheusCollectorRegistry` this object owns; the global `MetricsSystem` is never
/// bootstrapped, so several hosts in one process (as in tests) each count their own executions.
public final class HostMetrics: Sendable {
    /// The buckets of `conveyor_execution_duration_seconds`, from 10 ms to 1 h.
    public static let durationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1_800), .seconds(3_600),
    ]

    /// Every metric's name and help text.
    static let help: [String: String] = [
        Name.executions: "Executions the host ran to their end, by process and final status.",
        Name.documents: "Documents of finished executions, by process and kind (in, out, failed, dead_lettered).",
        Name.rowsWritten: "Documents out of each connector shape of finished executions (the rows or "
            + "documents a write operation wrote), by process and shape.",
        Name.retries: "Requests connector operations sent again after transient failures, by process.",
        Name.duration: "Wall-clock duration of finished executions, by process.",
        Name.queueDepth: "Executions waiting to run: admitted and not yet running.",
        Name.running: "Executions running now.",
        Name.uptime: "Seconds since the host started.",
    ]

    enum Name {
        static let executions = "conveyor_executions_total"
        static let documents = "conveyor_documents_total"
        static let rowsWritten = "conveyor_rows_written_total"
        static let retries = "conveyor_retries_total"
        static let duration = "conveyor_execution_duration_seconds"
        static let queueDepth = "conveyor_queue_depth"
        static let running = "conveyor_executions_running"
        static let uptime = "conveyor_host_uptime_seconds"
    }

    /// The content type of ``exposition(running:queued:)``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let registry: PrometheusCollectorRegistry
    let factory: HostMetricsFactory
    private let started = ContinuousClock.now
    private let queueDepth: CoreMetrics.Gauge
    private let running: CoreMetrics.Gauge
    private let uptime: CoreMetrics.Gauge
    private let queueDepthProvider = Mutex<(@Sendable () -> Int)?>(nil)

    /// Creates empty metrics in a registry of their own.
    public init() {
        registry = PrometheusCollectorRegistry()
        factory = HostMetricsFactory(registry: registry, help: Self.help,
                                     durationBuckets: [Name.duration: Self.durationBuckets],
                                     defaultBuckets: Self.durationBuckets)
        queueDepth = CoreMetrics.Gauge(label: Name.queueDepth, factory: factory)
        running = CoreMetrics.Gauge(label: Name.running, factory: factory)
        uptime = CoreMetrics.Gauge(label: Name.uptime, factory: factory)
    }

    /// Sets what `conveyor_queue_depth` reports (a work queue telling how much waits), or nil for
    /// the host's own count of executions admitted and not yet running.
    public func setQueueDepthProvider(_ provider: (@Sendable () -> Int)?) {
        queueDepthProvider.withLock { $0 = provider }
    }

    /// Counts a finished execution: its status, documents, retries, duration, and the documents out
    /// of each of its connector shapes (`connectorShapes`, the ids of the process's connector shapes).
    func recordFinished(_ execution: Execution, connectorShapes: Set<String>, duration: Duration) {
        let process = execution.info.processID
        count(processID: process, status: execution.status.rawValue, duration: duration)
        let kinds = [("in", execution.documentsIn), ("out", execution.documentsOut),
                     ("failed", execution.documentsError), ("dead_lettered", execution.documentsDeadLettered)]
        for (kind, amount) in kinds {
            CoreMetrics.Counter(label: Name.documents, dimensions: [("process", process), ("kind", kind)],
                                factory: factory).increment(by: max(0, amount))
        }
        for shape in execution.shapeCounts where connectorShapes.contains(shape.shapeID) {
            CoreMetrics.Counter(label: Name.rowsWritten, dimensions: [("process", process), ("shape", shape.shapeID)],
                                factory: factory).increment(by: max(0, shape.documentsOut))
        }
        CoreMetrics.Counter(label: Name.retries, dimensions: [("process", process)], factory: factory)
            .increment(by: max(0, execution.retries))
    }

    /// Counts an execution the host marked `ABORTED` while it ran (the drain's grace period ran out).
    func recordAborted(processID: String, duration: Duration) {
        count(processID: processID, status: ExecutionStatus.aborted.rawValue, duration: duration)
    }

    private func count(processID: String, status: String, duration: Duration) {
        CoreMetrics.Counter(label: Name.executions, dimensions: [("process", processID), ("status", status)],
                            factory: factory).increment()
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        CoreMetrics.Timer(label: Name.duration, dimensions: [("process", processID)], factory: factory)
            .recordNanoseconds(max(0, nanoseconds))
    }

    /// The metrics in the Prometheus text exposition format (version 0.0.4), the gauges set first
    /// from the host's counts of running and waiting executions (or the queue depth provider's).
    func exposition(running runningCount: Int, queued: Int) -> [UInt8] {
        let depth = queueDepthProvider.withLock { $0 }.map { $0() } ?? queued
        queueDepth.record(depth)
        running.record(runningCount)
        let elapsed = ContinuousClock.now - started
        uptime.record(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return registry.emitToBuffer()
    }
}
