import Foundation
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// A connector whose operation takes batches in place (``InPlaceConnectorOperation``) and counts
/// which of its two entry points the engine called.
struct InPlaceScriptedConnector: Connector {
    let type = "scripted"
    let body: @Sendable (inout [Document]) throws -> OperationOutcome
    let calls = Calls()

    final class Calls: Sendable {
        let counts = Mutex<(copied: Int, inPlace: Int)>((0, 0))
        var copied: Int { counts.withLock { $0.copied } }
        var inPlace: Int { counts.withLock { $0.inPlace } }
    }

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        Operation(body: body, calls: calls)
    }

    struct Operation: InPlaceConnectorOperation {
        let body: @Sendable (inout [Document]) throws -> OperationOutcome
        let calls: Calls

        func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
            calls.counts.withLock { $0.copied += 1 }
            var batch = documents
            return try body(&batch)
        }

        func executeInPlace(_ documents: inout [Document], context: OperationContext) async throws -> OperationOutcome {
            calls.counts.withLock { $0.inPlace += 1 }
            return try body(&documents)
        }
    }
}

@Suite("connector operations that take their batch in place")
struct InPlaceOperationTests {
    final class Recorder: ExecutionRecorder {
        private let state = Mutex<(traces: [DocumentTrace], captured: [CapturedDocument], finished: [Execution])>(([], [], []))
        func started(_ execution: Execution) async throws {}
        func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
            state.withLock { $0.traces += documents }
        }
        func finished(_ execution: Execution) async throws { state.withLock { $0.finished.append(execution) } }
        func captured(_ documents: [CapturedDocument], in execution: ExecutionInfo) async throws {
            state.withLock { $0.captured += documents }
        }
        var traces: [DocumentTrace] { state.withLock { $0.traces } }
        var captured: [CapturedDocument] { state.withLock { $0.captured } }
    }

    /// What a run left: its traces (in words, in order), captures, outputs returned, and status.
    struct Run: Equatable {
        var traces: [String]
        var captured: [String]
        var returned: [String]
        var status: String
    }

    /// Fails every fifth document, marks some as application errors, dead-letters others (left
    /// as they came) and sets a property on the rest, moving documents out of the batch.
    static let mixedOutcome: @Sendable (inout [Document]) throws -> OperationOutcome = { documents in
        var failures: [DocumentFailure] = []
        var failed = Array(repeating: false, count: documents.count)
        var deadLettered: [DeadLetter] = []
        for position in documents.indices {
            let index = documents[position].index
            if index % 5 == 1 {
                failures.append(DocumentFailure(document: documents[position], message: "rejected \(index)", code: .rejected))
                failed[position] = true
            } else if index % 11 == 2 {
                deadLettered.append(DeadLetter(index: index, reason: "no column \(index)"))
            } else if index % 7 == 3 {
                documents[position].properties[Document.applicationErrorProperty] = "invalid \(index)"
            } else {
                documents[position].properties["sent"] = "yes"
                documents[position].data += Array(" sent".utf8)
            }
        }
        var outputs: [Document] = []
        swap(&outputs, &documents)
        outputs = zip(outputs, failed).compactMap { $1 ? nil : $0 }
        return OperationOutcome(outputs: outputs, failures: failures, applicationErrors: outputs.filter(\.isApplicationError).count,
                                deadLettered: deadLettered)
    }

    static func run(_ connector: any Connector, tracking: [TrackedFieldBinding] = [], capture: DocumentCaptureMode = .errors,
                    count: Int = 40) async -> Run {
        let send = ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "back"), location: here)
        let back = ShapeDefinition(id: "back", kind: .returnDocuments, location: here)
        var ws = workspace(shapes: [send, back], tracking: tracking)
        ws.processes["p"]?.captureDocuments = capture
        let recorder = Recorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: recorder,
                                   environment: [:], chunkSize: 6)
        let inputs = (0..<count).map { json(#"{"id": \#($0)}"#) }
        guard case .finished(let execution, let returned) = await runner.runHosted(
            processID: "p", executionID: ExecutionInfo.newID(), trigger: .manual, inputs: inputs) else {
            Issue.record("the process did not run")
            return Run(traces: [], captured: [], returned: [], status: "")
        }
        return Run(
            traces: recorder.traces.map {
                "\($0.shapeID) \($0.direction) \($0.index)+\($0.count) \($0.status) \($0.error ?? "") \($0.trackedValues.map { "\($0.name)=\($0.value)" })"
            },
            captured: recorder.captured.map {
                "\($0.direction) \($0.index) \($0.status) \(String(decoding: $0.content, as: UTF8.self)) \($0.properties.sorted { $0.key < $1.key })"
            },
            returned: returned.map { "\($0.index) \(String(decoding: $0.data, as: UTF8.self)) \($0.properties.sorted { $0.key < $1.key })" },
            status: "\(execution.status)")
    }

    @Test("a batch handed over is recorded, captured and passed on exactly as a copied one")
    func handedOverEqualsCopied() async throws {
        let inPlace = InPlaceScriptedConnector(body: Self.mixedOutcome)
        let handedOver = await Self.run(inPlace)
        let copied = await Self.run(ScriptedConnector(execute: { documents, _ in
            var batch = documents
            return try Self.mixedOutcome(&batch)
        }))
        #expect(inPlace.calls.inPlace == 7 && inPlace.calls.copied == 0)
        #expect(handedOver == copied)
        // The run did what the script says: failures, dead letters captured as they came, outputs changed.
        #expect(handedOver.traces.contains { $0.hasPrefix("send input 1+1 error rejected 1") })
        #expect(handedOver.captured.contains { $0.hasPrefix(#"input 2 deadLettered {"id": 2}"#) })
        #expect(handedOver.returned.contains { $0.hasPrefix(#"0 {"id": 0} sent [(key: "sent", value: "yes")"#) })
        #expect(handedOver.returned.count == 40 - 8)
        #expect(handedOver.status == "error")  // documents failed
    }

    @Test("an operation that throws leaves its batch, and every document of it fails")
    func aThrowFailsTheBatch() async throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "the far end refused the batch" } }
        let body: @Sendable (inout [Document]) throws -> OperationOutcome = { documents in
            if documents.contains(where: { $0.index == 8 }) { throw Refused() }
            return try Self.mixedOutcome(&documents)
        }
        let inPlace = InPlaceScriptedConnector(body: body)
        let handedOver = await Self.run(inPlace, capture: .errors, count: 14)
        let copied = await Self.run(ScriptedConnector(execute: { documents, _ in
            var batch = documents
            return try body(&batch)
        }), capture: .errors, count: 14)
        #expect(inPlace.calls.inPlace == 3)
        #expect(handedOver == copied)
        for index in 6..<12 {
            #expect(handedOver.traces.contains { $0.hasPrefix("send input \(index)+1 error the far end refused the batch") },
                    "\(handedOver.traces)")
            #expect(handedOver.captured.contains { $0.hasPrefix(#"input \#(index) error {"id": \#(index)}"#) })
        }
    }

    @Test("tracked fields or capturing every document keep the batch: the operation gets a copy")
    func trackingKeepsTheBatch() async throws {
        let tracked = InPlaceScriptedConnector(body: Self.mixedOutcome)
        let binding = TrackedFieldBinding(name: "order", value: value(.documentProperty("sent")))
        let trackedRun = await Self.run(tracked, tracking: [binding])
        #expect(tracked.calls.inPlace == 0 && tracked.calls.copied == 7)
        let copied = await Self.run(ScriptedConnector(execute: { documents, _ in
            var batch = documents
            return try Self.mixedOutcome(&batch)
        }), tracking: [binding])
        #expect(trackedRun == copied)

        let all = InPlaceScriptedConnector(body: Self.mixedOutcome)
        let allRun = await Self.run(all, capture: .all)
        #expect(all.calls.inPlace == 0 && all.calls.copied == 7)
        // Every input is captured as it came, before the operation changed it.
        #expect(allRun.captured.contains { $0.hasPrefix(#"input 0 success {"id": 0} []"#) })
    }
}
