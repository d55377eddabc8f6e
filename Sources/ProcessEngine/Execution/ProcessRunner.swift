import Foundation
import ProcessModel

/// Runs processes of a loaded workspace.
public struct ProcessRunner: Sendable {
    public var workspace: Workspace
    public var connectors: ConnectorRegistry
    public var recorder: any ExecutionRecorder
    /// Environment variables, for `source="env"` values and connectors.
    public var environment: [String: String]
    /// Documents handed from shape to shape at a time; bounds memory per path.
    public var chunkSize: Int
    /// The clock, replaceable in tests.
    public var now: @Sendable () -> Date
    /// The executions running now; refuses a second one of a process with `allowSimultaneous="false"`.
    /// Hosts that start executions from several places share one registry.
    public var registry: ExecutionRegistry

    /// The workspace root under which hosted executions (``runHosted(processID:executionID:trigger:inputs:properties:claim:)``)
    /// of processes with `allowSimultaneous="false"` take the ``ProcessRunLock`` that `conveyor run`
    /// takes, so that neither runs a process the other is running; nil to take none.
    public var processLockRoot: String?

    /// How many process calls may be nested (a process calling a process …).
    public static let maximumCallDepth = 10
    /// Told each time a chunk of documents enters a shape; nil for none.
    public var progress: (any ProgressObserver)?
    /// How often a running execution stores its tracking records and counts (at the next chunk
    /// from its start shape), so that an execution whose command dies keeps them.
    public var countsInterval: Duration = .seconds(1)
    /// Where exactly-once writers of connectors keep their checkpoints (see ``CheckpointStore``);
    /// nil for none.
    public var checkpoints: (any CheckpointStore)?
    /// The locks shared by every command and host of a cluster, used instead of the lock files
    /// under ``processLockRoot`` when set.
    public var processLocks: (any ProcessLocking)?

    public init(workspace: Workspace, connectors: ConnectorRegistry, recorder: any ExecutionRecorder,
                environment: [String: String], chunkSize: Int = 10_000,
                now: @escaping @Sendable () -> Date = { Date() }, registry: ExecutionRegistry = ExecutionRegistry()) {
        self.registry = registry
        self.workspace = workspace
        self.connectors = connectors
        self.recorder = recorder
        self.environment = environment
        self.chunkSize = max(1, chunkSize)
        self.now = now
    }

    /// Runs a process to its end and returns the finished execution (never throws: every
    /// failure is in the execution's status, error and document records).
    /// `executionID` is the new execution's id (a new one by default).
    /// With `retry`, the execution sends the plan's documents instead of reading its start shape
    /// (trigger ``Trigger/retry``, the original execution as its parent).
    public func run(processID: String, trigger: Trigger = .manual, inputs: [Document] = [],
                    properties overrides: [String: String] = [:], executionID: String? = nil,
                    retry: RetryPlan? = nil) async -> Execution {
        guard let process = workspace.processes[processID] else {
            let info = ExecutionInfo(id: executionID ?? ExecutionInfo.newID(), processID: processID,
                                     processName: processID, startTime: now(), trigger: trigger)
            return Execution(info: info, status: .error, endTime: now(), error: "no process with id '\(processID)'")
        }
        let info = ExecutionInfo(id: executionID ?? ExecutionInfo.newID(at: now()), processID: process.id,
                                 processName: process.name, startTime: now(), trigger: retry == nil ? trigger : .retry,
                                 parentExecutionID: retry?.originalExecutionID)
        if !process.allowSimultaneous {
            guard registry.begin(process.id) else {
                return Execution(info: info, status: .error, endTime: now(),
                                 error: "process '\(process.id)' is already running and does not allow simultaneous"
                                     + " executions (allowSimultaneous=\"false\")")
            }
        }
        defer { if !process.allowSimultaneous { registry.end(process.id) } }
        let run = ExecutionRun(runner: self, process: process, info: info,
                               processProperties: properties(of: process, overrides: overrides))
        run.retryPlan = retry
        return await run.execute(inputs: inputs)
    }

    /// Runs a process called by a processCall shape; returns its execution and the documents its
    /// returnDocuments shapes collected (nil when it has none).
    func runCalled(_ process: ProcessDefinition, inputs: [Document], parent: ExecutionInfo,
                   callDepth: Int) async -> (Execution, [Document]?) {
        let info = ExecutionInfo(id: ExecutionInfo.newID(at: now()), processID: process.id,
                                 processName: process.name, startTime: now(), trigger: .subprocess,
                                 parentExecutionID: parent.id)
        let run = ExecutionRun(runner: self, process: process, info: info,
                               processProperties: properties(of: process, overrides: [:]), callDepth: callDepth)
        let execution = await run.execute(inputs: inputs)
        let returns = process.shapes.contains { if case .returnDocuments = $0.kind { true } else { false } }
        return (execution, returns ? run.returned : nil)
    }

    private func properties(of process: ProcessDefinition, overrides: [String: String]) -> [String: String] {
        var properties: [String: String] = [:]
        for property in process.properties { properties[property.name] = property.value }
        for (name, value) in overrides { properties[name] = value }
        return properties
    }
}
