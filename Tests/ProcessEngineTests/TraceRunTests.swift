import ExecutionModel
import Foundation
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// Keeps the traces exactly as the engine hands them over, runs included.
final class RunRecorder: ExecutionRecorder {
    private let state = Mutex<[DocumentTrace]>([])

    func started(_ execution: Execution) async throws {}
    func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        Issue.record("the engine should hand runs to recorded(runs:in:)")
    }
    func recorded(runs documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        state.withLock { $0 += documents }
    }
    func finished(_ execution: Execution) async throws {}

    var traces: [DocumentTrace] { state.withLock { $0 } }
}

@Suite("tracking runs")
struct TraceRunTests {
    private let send = ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"),
                                       location: here)

    private func inputs(_ count: Int) -> [Document] { (0..<count).map { json(#"{"id": \#($0)}"#) } }

    @Test("successful untracked documents become one run across batches; plain recorders get one trace each")
    func oneRun() async throws {
        let runs = RunRecorder()
        var runner = ProcessRunner(workspace: workspace(shapes: [send]), connectors: ConnectorRegistry([ScriptedConnector()]),
                                   recorder: runs, environment: [:], chunkSize: 2)
        // Counts stored while running flush the run so far; none are due in this test, however slow the machine.
        runner.countsInterval = .seconds(3_600)
        let execution = await runner.run(processID: "p", inputs: inputs(6))
        #expect(execution.status == .complete)
        #expect(runs.traces.map { [$0.index, $0.count] } == [[0, 6]])
        #expect(runs.traces.first?.status == .success)
        #expect(runs.traces.first?.operationID == "op")

        let plain = MemoryRecorder()
        let second = ProcessRunner(workspace: workspace(shapes: [send]), connectors: ConnectorRegistry([ScriptedConnector()]),
                                   recorder: plain, environment: [:], chunkSize: 2)
        _ = await second.run(processID: "p", inputs: inputs(6))
        #expect(plain.traces.map(\.index) == [0, 1, 2, 3, 4, 5])
        #expect(plain.traces.allSatisfy { $0.count == 1 && $0.status == .success })
    }

    @Test("a failure and an application error split the run; each keeps a trace of its own")
    func splitRuns() async throws {
        let connector = ScriptedConnector(execute: { documents, _ in
            var outputs = documents.filter { $0.index != 2 }
            if let position = outputs.firstIndex(where: { $0.index == 4 }) {
                outputs[position].properties[Document.applicationErrorProperty] = "invalid"
            }
            return OperationOutcome(outputs: outputs, failures: documents.filter { $0.index == 2 }.map {
                DocumentFailure(document: $0, message: "rejected", code: .rejected)
            }, applicationErrors: 1)
        })
        let runs = RunRecorder()
        let runner = ProcessRunner(workspace: workspace(shapes: [send]), connectors: ConnectorRegistry([connector]),
                                   recorder: runs, environment: [:])
        _ = await runner.run(processID: "p", inputs: inputs(7))
        let traces = runs.traces.sorted { $0.index < $1.index }
        #expect(traces.map { [$0.index, $0.count] } == [[0, 2], [2, 1], [3, 1], [4, 1], [5, 2]])
        #expect(traces.map(\.status) == [.success, .error, .success, .applicationError, .success])
        #expect(traces[1].error == "rejected")
    }

    @Test("a huge error message (a far end quoting a 1 MB value) is recorded cut, saying how long it was")
    func hugeMessagesAreCut() async throws {
        let value = String(repeating: "a", count: 1_000_000)
        let connector = ScriptedConnector(execute: { documents, _ in
            OperationOutcome(outputs: [], failures: documents.map {
                DocumentFailure(document: $0, message: "field 'id': '\(value)' is not an INT64", code: .value)
            })
        })
        let runs = RunRecorder()
        let runner = ProcessRunner(workspace: workspace(shapes: [send]), connectors: ConnectorRegistry([connector]),
                                   recorder: runs, environment: [:])
        let execution = await runner.run(processID: "p", inputs: inputs(2))
        #expect(execution.status == .error)
        let expected = "field 'id': '" + String(repeating: "a", count: ErrorText.maximumLength - 13)
            + " … (cut: the message was 1000030 bytes)"
        #expect(runs.traces.count == 2)
        #expect(runs.traces.allSatisfy { $0.error == expected })
        #expect(execution.error == "shape 'send', document 0: " + expected)
    }

    @Test("messages are cut by characters, never inside one, and only past the limit")
    func errorTextLimits() {
        let short = String(repeating: "é", count: ErrorText.maximumLength)   // twice as many bytes, not too long
        #expect(ErrorText.bounded(short) == short)
        let family = "👨‍👩‍👧"   // one character of 18 bytes
        let long = String(repeating: family, count: ErrorText.maximumLength + 1)
        let cut = ErrorText.bounded(long)
        #expect(cut.hasPrefix(String(repeating: family, count: ErrorText.maximumLength) + " … (cut: "))
        #expect(cut.hasSuffix("was \(long.utf8.count) bytes)"))
        #expect(ErrorText.bounded("") == "")
    }

    @Test("documents with tracked values get one trace each; those without values join runs")
    func trackedDocuments() async throws {
        let tracking = [TrackedFieldBinding(name: "orderId", value: value(.profile(path: "/order")))]
        let runs = RunRecorder()
        let runner = ProcessRunner(workspace: workspace(shapes: [send], tracking: tracking),
                                   connectors: ConnectorRegistry([ScriptedConnector()]), recorder: runs, environment: [:])
        let documents = [json("{}"), json("{}"), json(#"{"order": "o-2"}"#), json("{}"), json("{}")]
        _ = await runner.run(processID: "p", inputs: documents)
        #expect(runs.traces.map { [$0.index, $0.count] } == [[0, 2], [2, 1], [3, 2]])
        #expect(runs.traces[1].trackedValues == [TrackedFieldValue(name: "orderId", value: "o-2")])
    }

    @Test("output tracking without fields records the outputs as a run")
    func outputRun() async throws {
        let runs = RunRecorder()
        let runner = ProcessRunner(workspace: workspace(shapes: [send], direction: .output),
                                   connectors: ConnectorRegistry([ScriptedConnector()]), recorder: runs, environment: [:])
        _ = await runner.run(processID: "p", inputs: inputs(4))
        #expect(runs.traces.map { [$0.index, $0.count] } == [[0, 4]])
        #expect(runs.traces.first?.direction == .output)
    }

    @Test("expanding a run gives one trace per index")
    func expanding() {
        let run = DocumentTrace(shapeID: "s", direction: .input, index: 5, status: .success, count: 3)
        #expect(run.expanded.map(\.index) == [5, 6, 7])
        #expect(run.expanded.allSatisfy { $0.count == 1 && $0.shapeID == "s" })
    }
}
