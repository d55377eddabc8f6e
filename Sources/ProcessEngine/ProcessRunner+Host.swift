import Foundation
import ProcessModel

/// How a host-started execution ended.
public enum HostedRun: Sendable {
    /// The process does not allow simultaneous executions and one is running; nothing ran.
    case busy
    /// The execution ran (or failed to start, such as for an unknown process); `returned` holds
    /// the documents its `returnDocuments` shapes collected.
    case finished(Execution, returned: [Document])
}

extension ProcessRunner {
    /// Runs a process for a host (scheduler, HTTP listener, REST API): like
    /// ``run(processID:trigger:inputs:properties:)``, with an execution id chosen by the caller,
    /// a distinct answer when the process is busy, and the documents handed to `returnDocuments`.
    public func runHosted(processID: String, executionID: String, trigger: Trigger, inputs: [Document] = [],
                          properties overrides: [String: String] = [:]) async -> HostedRun {
        guard let process = workspace.processes[processID] else {
            let info = ExecutionInfo(id: executionID, processID: processID, processName: processID,
                                     startTime: now(), trigger: trigger)
            return .finished(Execution(info: info, status: .error, endTime: now(),
                                       error: "no process with id '\(processID)'"), returned: [])
        }
        if !process.allowSimultaneous {
            guard registry.begin(process.id) else { return .busy }
        }
        defer { if !process.allowSimultaneous { registry.end(process.id) } }
        var properties: [String: String] = [:]
        for property in process.properties { properties[property.name] = property.value }
        for (name, value) in overrides { properties[name] = value }
        let info = ExecutionInfo(id: executionID, processID: process.id, processName: process.name,
                                 startTime: now(), trigger: trigger)
        let run = ExecutionRun(runner: self, process: process, info: info, processProperties: properties)
        let execution = await run.execute(inputs: inputs)
        return .finished(execution, returned: run.returned)
    }
}
