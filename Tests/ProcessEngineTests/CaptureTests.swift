import Foundation
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// `captureDocuments` in the engine: what reaches the recorder's `captured` in each mode.
@Suite struct CaptureTests {
    final class CapturingRecorder: ExecutionRecorder {
        private let state = Mutex<(traces: [DocumentTrace], captured: [CapturedDocument])>(([], []))
        func started(_ execution: Execution) async throws {}
        func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
            state.withLock { $0.traces += documents }
        }
        func finished(_ execution: Execution) async throws {}
        func captured(_ documents: [CapturedDocument], in execution: ExecutionInfo) async throws {
            state.withLock { $0.captured += documents }
        }
        var captured: [CapturedDocument] { state.withLock { $0.captured } }
    }

    /// Runs four documents through a connector that fails document 1, dead-letters document 2
    /// and writes the others (each output with `-out` appended), with `mode` and `limit`.
    static func run(_ mode: DocumentCaptureMode, limit: Int = DocumentCaptureMode.defaultLimit) async -> [CapturedDocument] {
        var ws = workspace(shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"),
                                                    location: here)])
        ws.processes["p"]?.captureDocuments = mode
        ws.processes["p"]?.captureLimit = limit
        let connector = ScriptedConnector(execute: { documents, _ in
            let written = documents.filter { $0.index != 1 }.map { document in
                var output = document
                output.data += Array("-out".utf8)
                return output
            }
            return OperationOutcome(
                outputs: written,
                failures: documents.filter { $0.index == 1 }.map { DocumentFailure(document: $0, message: "rejected row", code: .rejected) },
                deadLettered: [DeadLetter(index: 2, reason: "no column id")])
        })
        let recorder = CapturingRecorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: recorder, environment: [:])
        var inputs = (0..<4).map { json(#"{"n": \#($0)}"#) }
        inputs[1].properties["origin"] = "a.jsonl"
        _ = await runner.run(processID: "p", inputs: inputs)
        return recorder.captured
    }

    @Test("errors (the default) keeps the inputs of the failed and the dead-lettered documents only")
    func errorsKeepsFailures() async {
        let captured = await Self.run(.errors)
        #expect(captured.map(\.index).sorted() == [1, 2])
        let failed = captured.first { $0.index == 1 }
        #expect(failed?.status == .error && failed?.error == "rejected row" && failed?.errorCode == .rejected)
        #expect(failed?.content == Array(#"{"n": 1}"#.utf8) && failed?.direction == .input)
        #expect(failed?.properties["origin"] == "a.jsonl" && failed?.shapeID == "send" && failed?.operationID == "op")
        let dead = captured.first { $0.index == 2 }
        #expect(dead?.status == .deadLettered && dead?.error == "no column id" && dead?.errorCode == .deadLettered)
        #expect(captured.allSatisfy { $0.limit == DocumentCaptureMode.defaultLimit })
    }

    @Test("all keeps every input and every output; none keeps nothing; the limit is passed on")
    func allAndNone() async {
        let all = await Self.run(.all, limit: 5)
        let summary = all.map { "\($0.index) \($0.direction.rawValue) \($0.status.rawValue)" }.sorted()
        #expect(summary == ["0 input success", "0 output success", "1 input error", "2 input dead-lettered",
                            "2 output success", "3 input success", "3 output success"], "\(summary)")
        #expect(all.first { $0.index == 3 && $0.direction == .output }?.content == Array(#"{"n": 3}-out"#.utf8))
        #expect(all.allSatisfy { $0.limit == 5 })
        #expect(await Self.run(.none).isEmpty)
    }
}
