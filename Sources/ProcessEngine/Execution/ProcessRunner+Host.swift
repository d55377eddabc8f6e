import ExecutionModel
import Foundation
import ProcessModel

/// How a host-started execution ended.
public enum HostedRun: Sendable {
    /// The process does not allow simultaneous executions and one is running in this host; nothing ran.
    case busy
    /// The process does not allow simultaneous executions and another command (such as
    /// `conveyor run`) runs it now; nothing ran. The message names that command and its execution.
    case runningElsewhere(String)
    /// The execution ran (or failed to start, such as for an unknown process); `returned` holds
    /// the documents its `returnDocuments` shapes collected.
    case finished(Execution, returned: [Document])
}

/// The right to run a process that does not allow simultaneous executions: its place in the
/// runner's registry and, when the runner has a ``ProcessRunner/processLockRoot``, the
/// ``ProcessRunLock`` shared with other commands. Released when the execution ends.
public final class ProcessClaim: Sendable {
    let registry: ExecutionRegistry
    let processID: String
    let lock: (any ProcessLockHold)?

    init(registry: ExecutionRegistry, processID: String, lock: (any ProcessLockHold)?) {
        self.registry = registry
        self.processID = processID
        self.lock = lock
    }

    /// Gives the process up (once; the claim is not used again).
    func release() {
        lock?.release()
        registry.end(processID)
    }
}

extension ProcessRunner {
    /// What ``claim(processID:executionID:)`` answered.
    public enum Claim: Sendable {
        /// The process may run; `claim` is nil for a process that allows simultaneous executions.
        case granted(ProcessClaim?)
        /// Refused: see ``HostedRun``; `failed` when the lock file could not be used at all.
        case busy, runningElsewhere(String), failed(String)
    }

    /// Claims a process for an execution about to start, without waiting: in this runner's
    /// registry, then (for a runner with a ``processLockRoot``) in the lock file other commands use.
    public func claim(processID: String, executionID: String) -> Claim {
        guard let process = workspace.processes[processID], !process.allowSimultaneous else { return .granted(nil) }
        guard registry.begin(process.id) else { return .busy }
        if let processLocks {
            do {
                guard let hold = try processLocks.tryLockProcess(process.id, executionID: executionID) else {
                    registry.end(process.id)
                    return .runningElsewhere(processLocks.refusal(processID: process.id))
                }
                return .granted(ProcessClaim(registry: registry, processID: process.id, lock: hold))
            } catch {
                registry.end(process.id)
                return .failed("cannot take the lock of process \(process.id): \(error)")
            }
        }
        guard let root = processLockRoot else {
            return .granted(ProcessClaim(registry: registry, processID: process.id, lock: nil))
        }
        do {
            let lock = try ProcessRunLock.acquire(processID: process.id, workspaceRoot: root, executionID: executionID)
            return .granted(ProcessClaim(registry: registry, processID: process.id, lock: lock))
        } catch {
            registry.end(process.id)
            switch error {
            case .alreadyRunning: return .runningElsewhere(error.description)
            case .unavailable: return .failed(error.description)
            }
        }
    }

    /// Whether the process could be claimed now, without keeping it: `.granted(nil)` when it is
    /// free, else why not (for a trigger queued to run later, answered as the claim would be).
    public func checkClaim(processID: String) -> Claim {
        let claim = claim(processID: processID, executionID: "check")
        guard case .granted(let held) = claim else { return claim }
        held?.release()
        return .granted(nil)
    }

    /// Runs a process for a host (scheduler, HTTP listener, REST API): like
    /// ``run(processID:trigger:inputs:properties:)``, with an execution id chosen by the caller,
    /// a distinct answer when the process is busy, and the documents handed to `returnDocuments`.
    /// `claim` is what ``claim(processID:executionID:)`` granted for it (released at the end);
    /// without one the process is claimed here.
    /// With `retry`, the execution sends the plan's documents instead of reading its start shape.
    public func runHosted(processID: String, executionID: String, trigger: Trigger, inputs: [Document] = [],
                          properties overrides: [String: String] = [:], claim given: Claim? = nil,
                          retry: RetryPlan? = nil) async -> HostedRun {
        guard let process = workspace.processes[processID] else {
            let info = ExecutionInfo(id: executionID, processID: processID, processName: processID,
                                     startTime: now(), trigger: trigger)
            return .finished(Execution(info: info, status: .error, endTime: now(),
                                       error: "no process with id '\(processID)'"), returned: [])
        }
        let claimed: ProcessClaim?
        switch given ?? claim(processID: processID, executionID: executionID) {
        case .granted(let claim): claimed = claim
        case .busy: return .busy
        case .runningElsewhere(let message): return .runningElsewhere(message)
        case .failed(let message):
            let info = ExecutionInfo(id: executionID, processID: process.id, processName: process.name,
                                     startTime: now(), trigger: trigger)
            return .finished(Execution(info: info, status: .error, endTime: now(), error: message), returned: [])
        }
        defer { claimed?.release() }
        var properties: [String: String] = [:]
        for property in process.properties { properties[property.name] = property.value }
        for (name, value) in overrides { properties[name] = value }
        let info = ExecutionInfo(id: executionID, processID: process.id, processName: process.name,
                                 startTime: now(), trigger: trigger, parentExecutionID: retry?.originalExecutionID)
        let run = ExecutionRun(runner: self, process: process, info: info, processProperties: properties)
        run.retryPlan = retry
        let execution = await run.execute(inputs: inputs)
        return .finished(execution, returned: run.returned)
    }
}
