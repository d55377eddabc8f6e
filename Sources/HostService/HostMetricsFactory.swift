import CoreMetrics
import Prometheus

/// A swift-metrics factory that creates its metrics in one Prometheus registry, giving each metric
/// its help text and, for timers, its histogram buckets.
///
/// swift-prometheus' own `PrometheusMetricsFactory` creates every metric without help text; this
/// one looks it up by name, so the exposition carries a `# HELP` line for each metric.
struct HostMetricsFactory: MetricsFactory {
    /// Where the metrics live and are read from.
    let registry: PrometheusCollectorRegistry
    /// Help text by metric name.
    let help: [String: String]
    /// Histogram buckets of timers by metric name; timers not listed use `defaultBuckets`.
    let durationBuckets: [String: [Duration]]
    let defaultBuckets: [Duration]
    /// Unregisters metrics (it writes into the same registry).
    private let unregistering: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry, help: [String: String], durationBuckets: [String: [Duration]],
         defaultBuckets: [Duration]) {
        self.registry = registry
        self.help = help
        self.durationBuckets = durationBuckets
        self.defaultBuckets = defaultBuckets
        unregistering = PrometheusMetricsFactory(registry: registry)
    }

    /// The registry's description of a metric: its name (the swift-metrics label) and help text.
    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label.isEmpty ? "unnamed" : label, unitName: "", helpText: help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return unregistering.makeRecorder(label: label, dimensions: dimensions, aggregate: true)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions,
                                       buckets: durationBuckets[label] ?? defaultBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) { unregistering.destroyCounter(handler) }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        unregistering.destroyFloatingPointCounter(handler)
    }

    func destroyMeter(_ handler: any MeterHandler) { unregistering.destroyMeter(handler) }

    func destroyRecorder(_ handler: any RecorderHandler) { unregistering.destroyRecorder(handler) }

    func destroyTimer(_ handler: any TimerHandler) { unregistering.destroyTimer(handler) }
}
