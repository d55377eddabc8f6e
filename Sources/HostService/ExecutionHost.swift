import Foundation
import Logging
import ProcessEngine
import ProcessModel
import Synchronization

/// Starts executions for the scheduler, the listeners and the REST API, keeps track of those
/// running, and stops taking new ones when the host shuts down.
public final class ExecutionHost: Sendable {
    /// How a request to run a process was answered.
    public enum Outcome: Sendable {
        /// The host is shutting down and takes no new executions.
        case stopping
        /// The process does not allow simultaneous executions and one is running.
        case busy
        /// The process does not allow simultaneous executions and another command (such as
        /// `conveyor run`) runs it; the message names that command and its execution.
        case runningElsewhere(String)
        /// The execution ran; `returned` holds what its `returnDocuments` shapes collected.
        case finished(Execution, returned: [Document])
    }

    /// The runner every execution uses (its registry is shared by all of them).
    public let runner: ProcessRunner
    let logger: Logger
    /// The operations metrics (`GET /metrics`), counted once per execution this host runs.
    public let metrics: HostMetrics
    /// An execution admitted and not yet finished.
    private struct Admitted {
        var processID: String
        /// When it started running; nil while it waits to.
        var started: ContinuousClock.Instant?
        /// Whether the metrics counted its end already.
        var counted = false
    }
    private struct State {
        var accepting = true
        /// Executions admitted and not yet finished, by execution id.
        var running: [String: Admitted] = [:]
    }
    private let state = Mutex(State())

    /// Creates a host around a runner, with metrics of its own unless given.
    public init(runner: ProcessRunner, logger: Logger, metrics: HostMetrics = HostMetrics()) {
        self.runner = runner
        self.logger = logger
        self.metrics = metrics
    }

    /// The workspace the host runs.
    public var workspace: Workspace { runner.workspace }

    /// Whether new executions are accepted (false once shutting down).
    public var isAccepting: Bool { state.withLock { $0.accepting } }

    /// The ids of executions running now.
    public var runningExecutionIDs: [String] { state.withLock { Array($0.running.keys).sorted() } }

    /// How many executions run now, and how many were admitted and wait to run.
    public var counts: (running: Int, queued: Int) {
        state.withLock { state in
            let running = state.running.values.count { $0.started != nil }
            return (running, state.running.count - running)
        }
    }

    /// The metrics in the Prometheus text format, with the running and waiting executions counted now.
    public func metricsExposition() -> [UInt8] {
        let now = counts
        return metrics.exposition(running: now.running, queued: now.queued)
    }

    /// Counts in the metrics the executions the host marked `ABORTED` while they ran (at the end of
    /// the drain); an execution counted here is not counted again should it end later.
    public func countAborted(_ executionIDs: [String]) {
        let now = ContinuousClock.now
        let aborted: [(String, Duration)] = state.withLock { state in
            executionIDs.compactMap { id in
                guard var entry = state.running[id], !entry.counted else { return nil }
                entry.counted = true
                state.running[id] = entry
                return (entry.processID, entry.started.map { now - $0 } ?? .zero)
            }
        }
        for (processID, duration) in aborted { metrics.recordAborted(processID: processID, duration: duration) }
    }

    /// Whether a process that does not allow simultaneous executions is running now.
    public func isBusy(_ processID: String) -> Bool {
        guard let process = workspace.processes[processID], !process.allowSimultaneous else { return false }
        return runner.registry.isRunning(processID)
    }

    /// Runs a process to its end.
    public func run(processID: String, trigger: Trigger, inputs: [Document] = [],
                    properties: [String: String] = [:],
                    executionID: String = ExecutionInfo.newID(), retry: RetryPlan? = nil) async -> Outcome {
        guard admit(executionID, processID: processID) else { return .stopping }
        let claim: ProcessRunner.Claim
        switch claimed(processID: processID, executionID: executionID, trigger: trigger) {
        case .success(let granted): claim = granted
        case .failure(let refusal): return refusal.outcome
        }
        return await runAdmitted(processID: processID, trigger: trigger, inputs: inputs, properties: properties,
                                 executionID: executionID, claim: claim, retry: retry)
    }

    /// Starts a process in the background and returns its execution at once, or why it did not
    /// start: `.stopping` when the host is stopping, `.busy` or `.runningElsewhere` when the process
    /// (not allowing simultaneous executions) runs already; it is claimed before this returns.
    public func start(processID: String, trigger: Trigger, inputs: [Document] = [],
                      properties: [String: String] = [:],
                      executionID: String = ExecutionInfo.newID(),
                      retry: RetryPlan? = nil) -> Result<Task<Outcome, Never>, Refusal> {
        guard admit(executionID, processID: processID) else { return .failure(Refusal(outcome: .stopping)) }
        switch claimed(processID: processID, executionID: executionID, trigger: trigger) {
        case .failure(let refusal):
            return .failure(refusal)
        case .success(let claim):
            return .success(Task {
                await runAdmitted(processID: processID, trigger: trigger, inputs: inputs, properties: properties,
                                  executionID: executionID, claim: claim, retry: retry)
            })
        }
    }

    /// Starts a process in the background and returns its task at once, or nil when it did not
    /// start (the host is stopping, or the process runs already; that is logged).
    public func launch(processID: String, trigger: Trigger, inputs: [Document] = [],
                       properties: [String: String] = [:],
                       executionID: String = ExecutionInfo.newID()) -> Task<Outcome, Never>? {
        try? start(processID: processID, trigger: trigger, inputs: inputs, properties: properties,
                   executionID: executionID).get()
    }

    /// Why an execution did not start.
    public struct Refusal: Error, Sendable {
        /// `.stopping`, `.busy` or `.runningElsewhere`.
        public var outcome: Outcome
    }

    /// Claims the process for an admitted execution; a refusal is logged and un-admits it.
    private func claimed(processID: String, executionID: String,
                         trigger: Trigger) -> Result<ProcessRunner.Claim, Refusal> {
        let claim = runner.claim(processID: processID, executionID: executionID)
        let refusal: Outcome
        switch claim {
        case .granted, .failed: return .success(claim)
        case .busy: refusal = .busy
        case .runningElsewhere(let message): refusal = .runningElsewhere(message)
        }
        _ = state.withLock { $0.running.removeValue(forKey: executionID) }
        logRefusal(refusal, processID: processID, executionID: executionID, trigger: trigger)
        return .failure(Refusal(outcome: refusal))
    }

    private func logRefusal(_ outcome: Outcome, processID: String, executionID: String, trigger: Trigger) {
        let scheduled = trigger == .schedule || trigger == .retry
        switch outcome {
        case .runningElsewhere(let message):
            logger.notice(scheduled ? "schedule skipped: the process is running in another command"
                                    : "execution refused: the process is running in another command",
                          metadata: ["execution": "\(executionID)", "process": "\(processID)",
                                     "trigger": "\(trigger.rawValue)", "reason": "\(message)"])
        case .busy:
            logger.notice(scheduled ? "schedule skipped: the process is still running"
                                    : "execution refused: the process is running and does not allow simultaneous executions",
                          metadata: ["execution": "\(executionID)", "process": "\(processID)",
                                     "trigger": "\(trigger.rawValue)"])
        case .stopping, .finished:
            return
        }
    }

    /// Stops accepting executions.
    public func stopAccepting() {
        state.withLock { $0.accepting = false }
    }

    /// Waits until no execution runs or `timeout` passes; returns the ids still running.
    public func waitForRunning(timeout: Duration) async -> [String] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if runningExecutionIDs.isEmpty { return [] }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return runningExecutionIDs
    }

    private func admit(_ executionID: String, processID: String) -> Bool {
        state.withLock { state in
            guard state.accepting else { return false }
            state.running[executionID] = Admitted(processID: processID)
            return true
        }
    }

    /// Counts a finished execution in the metrics, unless the drain counted it `ABORTED` already.
    private func countFinished(_ execution: Execution, executionID: String, duration: Duration) {
        let first = state.withLock { state -> Bool in
            guard let entry = state.running[executionID], !entry.counted else { return false }
            state.running[executionID]?.counted = true
            return true
        }
        guard first else { return }
        var connectorShapes = Set<String>()
        for shape in workspace.processes[execution.info.processID]?.shapes ?? [] {
            if case .connector = shape.kind { connectorShapes.insert(shape.id) }
        }
        metrics.recordFinished(execution, connectorShapes: connectorShapes, duration: duration)
    }

    private func runAdmitted(processID: String, trigger: Trigger, inputs: [Document], properties: [String: String],
                             executionID: String, claim: ProcessRunner.Claim, retry: RetryPlan?) async -> Outcome {
        defer { _ = state.withLock { $0.running.removeValue(forKey: executionID) } }
        let started = ContinuousClock.now
        state.withLock { $0.running[executionID]?.started = started }
        logger.info("execution started", metadata: [
            "execution": "\(executionID)", "process": "\(processID)", "trigger": "\(trigger.rawValue)",
        ])
        let result = await runner.runHosted(processID: processID, executionID: executionID, trigger: trigger,
                                            inputs: inputs, properties: properties, claim: claim, retry: retry)
        switch result {
        case .busy:
            logRefusal(.busy, processID: processID, executionID: executionID, trigger: trigger)
            return .busy
        case .runningElsewhere(let message):
            logRefusal(.runningElsewhere(message), processID: processID, executionID: executionID, trigger: trigger)
            return .runningElsewhere(message)
        case .finished(let execution, let returned):
            logger.info("execution finished", metadata: [
                "execution": "\(executionID)", "process": "\(processID)", "status": "\(execution.status.rawValue)",
                "documentsIn": "\(execution.documentsIn)", "documentsError": "\(execution.documentsError)",
            ])
            countFinished(execution, executionID: executionID, duration: ContinuousClock.now - started)
            return .finished(execution, returned: returned)
        }
    }
}
