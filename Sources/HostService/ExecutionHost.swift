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
    private struct State {
        var accepting = true
        /// Execution id → process id of executions admitted and not yet finished.
        var running: [String: String] = [:]
    }
    private let state = Mutex(State())

    /// Creates a host around a runner.
    public init(runner: ProcessRunner, logger: Logger) {
        self.runner = runner
        self.logger = logger
    }

    /// The workspace the host runs.
    public var workspace: Workspace { runner.workspace }

    /// Whether new executions are accepted (false once shutting down).
    public var isAccepting: Bool { state.withLock { $0.accepting } }

    /// The ids of executions running now.
    public var runningExecutionIDs: [String] { state.withLock { Array($0.running.keys).sorted() } }

    /// Whether a process that does not allow simultaneous executions is running now.
    public func isBusy(_ processID: String) -> Bool {
        guard let process = workspace.processes[processID], !process.allowSimultaneous else { return false }
        return runner.registry.isRunning(processID)
    }

    /// Runs a process to its end.
    public func run(processID: String, trigger: Trigger, inputs: [Document] = [],
                    properties: [String: String] = [:],
                    executionID: String = ExecutionInfo.newID()) async -> Outcome {
        guard admit(executionID, processID: processID) else { return .stopping }
        let claim: ProcessRunner.Claim
        switch claimed(processID: processID, executionID: executionID, trigger: trigger) {
        case .success(let granted): claim = granted
        case .failure(let refusal): return refusal.outcome
        }
        return await runAdmitted(processID: processID, trigger: trigger, inputs: inputs, properties: properties,
                                 executionID: executionID, claim: claim)
    }

    /// Starts a process in the background and returns its execution at once, or why it did not
    /// start: `.stopping` when the host is stopping, `.busy` or `.runningElsewhere` when the process
    /// (not allowing simultaneous executions) runs already; it is claimed before this returns.
    public func start(processID: String, trigger: Trigger, inputs: [Document] = [],
                      properties: [String: String] = [:],
                      executionID: String = ExecutionInfo.newID()) -> Result<Task<Outcome, Never>, Refusal> {
        guard admit(executionID, processID: processID) else { return .failure(Refusal(outcome: .stopping)) }
        switch claimed(processID: processID, executionID: executionID, trigger: trigger) {
        case .failure(let refusal):
            return .failure(refusal)
        case .success(let claim):
            return .success(Task {
                await runAdmitted(processID: processID, trigger: trigger, inputs: inputs, properties: properties,
                                  executionID: executionID, claim: claim)
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
            state.running[executionID] = processID
            return true
        }
    }

    private func runAdmitted(processID: String, trigger: Trigger, inputs: [Document], properties: [String: String],
                             executionID: String, claim: ProcessRunner.Claim) async -> Outcome {
        defer { _ = state.withLock { $0.running.removeValue(forKey: executionID) } }
        logger.info("execution started", metadata: [
            "execution": "\(executionID)", "process": "\(processID)", "trigger": "\(trigger.rawValue)",
        ])
        let result = await runner.runHosted(processID: processID, executionID: executionID, trigger: trigger,
                                            inputs: inputs, properties: properties, claim: claim)
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
            return .finished(execution, returned: returned)
        }
    }
}
