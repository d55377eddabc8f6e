import DocumentMapping
import Foundation
@testable import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// A connector whose write operation may do the renaming map before it (``MapFusingOperation``):
/// it logs what reached it, maps every document through the pending map (as an operation must
/// before reading one it cannot take as it is) and fails the row whose mapped `row` is 3.
struct FusingConnector: Connector {
    let type = "fusing"
    var fuses = true
    let log: OverlapLog

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        Operation(fuses: fuses, log: log)
    }

    struct Operation: MapFusingOperation {
        let fuses: Bool
        let log: OverlapLog

        func fuses(_ renames: FlatRenames) -> Bool { fuses }

        /// A start operation like the disk's: the batches after it may overlap the reading.
        var readsWithoutSideEffects: Bool { true }

        func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
            // Two chunks; documents 2 and 5 lack the member the map requires.
            try await emit([json(#"{"n": 0}"#), json(#"{"n": 1}"#), json(#"{"m": 2}"#)])
            try await emit([json(#"{"n": 3}"#), json(#"{"n": 4}"#), json(#"{"m": 5}"#)])
        }

        func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
            outcome(documents, context: context)
        }

        func begin(_ documents: [Document], context: OperationContext) async -> Task<OperationOutcome, any Error> {
            let outcome = outcome(documents, context: context)
            return Task { outcome }
        }

        func beginHandedOver(_ documents: inout [Document], context: OperationContext) async -> Task<HandedOverOutcome, Never>? {
            var taken: [Document] = []
            swap(&taken, &documents)
            let outcome = HandedOverOutcome(outcome(taken, context: context))
            return Task { outcome }
        }

        func outcome(_ documents: [Document], context: OperationContext) -> OperationOutcome {
            var documents = documents
            log.add((context.pendingMap == nil ? "mapped " : "pending ") + documents.map(\.text).joined(separator: " "))
            var mapFailures: [DocumentFailure] = []
            if let pending = context.pendingMap {
                let failed = pending.map(&documents, at: Array(documents.indices))
                mapFailures = failed.keys.sorted().compactMap { failed[$0] }
                documents = documents.indices.filter { failed[$0] == nil }.map { documents[$0] }
            }
            var outcome = OperationOutcome(outputs: documents.filter { $0.text != #"{"row":3}"# },
                                           failures: documents.filter { $0.text == #"{"row":3}"# }
                                               .map { DocumentFailure(document: $0, message: "row rejected", code: .rejected) })
            outcome.mapFailures = mapFailures
            return outcome
        }
    }
}

@Suite("a map the connector shape does")
struct FusedMapTests {
    static func workspace(tracking: [TrackedFieldBinding] = [], capture: DocumentCaptureMode = .errors) -> Workspace {
        let shapes = [
            ShapeDefinition(id: "start", kind: .start(.connector(connection: "c", operation: "read"), next: "map"), location: here),
            ShapeDefinition(id: "map", kind: .map(map: "rename", next: "send"), location: here),
            ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "write", next: "done"), location: here),
            ShapeDefinition(id: "done", kind: .stop(continue: true), location: here),
        ]
        var process = ProcessDefinition(id: "p", name: "Fused", shapes: shapes, location: here)
        process.captureDocuments = capture
        let connection = ConnectionDefinition(id: "c", type: "fusing", settings: SettingsElement(name: "connection", location: here), location: here)
        func operation(_ id: String, tracking: [TrackedFieldBinding] = []) -> OperationDefinition {
            OperationDefinition(id: id, type: "fusing", action: id, settings: SettingsElement(name: "operation", location: here),
                                trackingDirection: .input, tracking: tracking, location: here)
        }
        let profiles = [
            "in": ProfileDefinition(id: "in", type: .json, elements: [
                ProfileElement(name: "n", type: "number", required: true, location: here),
            ], location: here),
            "out": ProfileDefinition(id: "out", type: .json, elements: [
                ProfileElement(name: "row", type: "number", location: here),
            ], location: here),
        ]
        let map = MapDefinition(id: "rename", fromProfile: "in", toProfile: "out",
                                mappings: [MappingRule(from: "/n", to: "/row", location: here)], defaults: [], location: here)
        return Workspace(root: "/tmp", processes: ["p": process], connections: ["c": connection],
                         operations: ["read": operation("read"), "write": operation("write", tracking: tracking)],
                         profiles: profiles, maps: ["rename": map])
    }

    static func run(_ workspace: Workspace, _ connector: FusingConnector) async -> (Execution, MemoryRecorder) {
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: workspace, connectors: ConnectorRegistry([connector]), recorder: recorder,
                                   environment: [:])
        return (await runner.run(processID: "p"), recorder)
    }

    static func counts(_ execution: Execution) -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: execution.shapeCounts.map { ($0.shapeID, [$0.documentsIn, $0.documentsOut, $0.documentsError]) })
    }

    @Test("the connector gets the map's inputs; the map's failures are recorded at the map shape, as when it maps")
    func recordedAsTheMapShapeWould() async throws {
        let log = OverlapLog()
        let (execution, recorder) = await Self.run(Self.workspace(), FusingConnector(log: log))
        #expect(log.all == [#"pending {"n": 0} {"n": 1} {"m": 2}"#, #"pending {"n": 3} {"n": 4} {"m": 5}"#])
        let (reference, referenceRecorder) = await Self.run(Self.workspace(), FusingConnector(fuses: false, log: OverlapLog()))
        #expect(execution.status == .error && reference.status == .error)
        #expect(execution.documentsIn == 6 && execution.documentsOut == 3 && execution.documentsError == 3)
        #expect(Self.counts(execution) == ["start": [0, 6, 0], "map": [6, 4, 2], "send": [4, 3, 1], "done": [3, 3, 0]],
                "\(Self.counts(execution))")
        #expect(Self.counts(execution) == Self.counts(reference))
        // The same traces, shape for shape: failures with the same messages, successes as runs.
        func traces(_ recorder: MemoryRecorder) -> [String] {
            recorder.traces.map { "\($0.shapeID) \($0.index)+\($0.count) \($0.status) \($0.error ?? "")" }.sorted()
        }
        #expect(traces(recorder) == traces(referenceRecorder), "\(traces(recorder))\nvs\n\(traces(referenceRecorder))")
        let mapFailures = recorder.traces.filter { $0.shapeID == "map" && $0.status == .error }
        #expect(mapFailures.map { $0.index } == [2, 5])
        #expect(mapFailures.allSatisfy { $0.error?.contains("/n") == true && $0.errorCode == .mapping },
                "\(mapFailures.map { "\($0.errorCode.map { "\($0)" } ?? "") \($0.error ?? "")" })")
        #expect(!recorder.traces.contains { $0.shapeID == "send" && ($0.index...($0.index + $0.count - 1)).contains(2) })
    }

    @Test("the map shape maps when the operation declines, or when the connector records content")
    func mappedOtherwise() async throws {
        let declined = OverlapLog()
        _ = await Self.run(Self.workspace(), FusingConnector(fuses: false, log: declined))
        #expect(declined.all.allSatisfy { $0.hasPrefix("mapped ") } && declined.all.count == 2, "\(declined.all)")
        let tracked = OverlapLog()
        let binding = TrackedFieldBinding(name: "row", value: value(.profile(path: "/row")))
        _ = await Self.run(Self.workspace(tracking: [binding]), FusingConnector(log: tracked))
        #expect(tracked.all.allSatisfy { $0.hasPrefix("mapped ") } && tracked.all.count == 2, "\(tracked.all)")
        let captured = OverlapLog()
        _ = await Self.run(Self.workspace(capture: .all), FusingConnector(log: captured))
        #expect(captured.all.allSatisfy { $0.hasPrefix("mapped ") } && captured.all.count == 2, "\(captured.all)")
    }
}
