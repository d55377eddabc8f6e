import Foundation
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// Collects progress reports.
final class ProgressLog: ProgressObserver {
    private let reports = Mutex<[ExecutionProgress]>([])
    func progressed(_ progress: ExecutionProgress) { reports.withLock { $0.append(progress) } }
    var all: [ExecutionProgress] { reports.withLock { $0 } }
}

@Suite struct ProgressHookTests {
    @Test("the progress observer hears each chunk entering each shape, with running counts")
    func progressPerChunk() async throws {
        let ws = sendWorkspace()
        let log = ProgressLog()
        var runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([ScriptedConnector()]),
                                   recorder: DiscardingRecorder(), environment: [:], chunkSize: 10)
        runner.progress = log
        let inputs = (0..<25).map { json("{\"n\":\($0)}") }
        let execution = await runner.run(processID: "p", inputs: inputs)
        #expect(execution.status == .complete)
        let reports = log.all
        // Three chunks (10, 10, 5), each entering "send" then "done".
        #expect(reports.map(\.shapeID) == ["send", "done", "send", "done", "send", "done"])
        #expect(reports.map(\.documentsIn) == [10, 10, 20, 20, 25, 25])
        #expect(reports.map(\.documentsOut) == [0, 0, 10, 10, 20, 20])
        #expect(reports.allSatisfy { $0.executionID == execution.info.id })
    }

    @Test("the finished execution carries the final process properties")
    func finalProcessProperties() async throws {
        let assignments = [PropertyAssignment(scope: .process, name: "last", value: value(.profile(path: "/n")))]
        let ws = workspace(shapes: [
            ShapeDefinition(id: "props", kind: .setProperties(assignments, next: "done"), location: here),
        ], properties: [ProcessPropertyDefinition(name: "last", value: "none", persist: true),
                        ProcessPropertyDefinition(name: "other", value: "x")])
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([]), recorder: DiscardingRecorder(),
                                   environment: [:])
        let execution = await runner.run(processID: "p", inputs: [json("{\"n\":1}"), json("{\"n\":7}")],
                                         properties: ["other": "y"])
        #expect(execution.processProperties == ["last": "7", "other": "y"])
    }
}
