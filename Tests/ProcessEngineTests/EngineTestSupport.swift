import DocumentMapping
import Foundation
import ProcessEngine
import ProcessModel
import Synchronization

let here = SourceLocation(file: "test.xml", line: 1)

/// Records what the engine reports, in memory.
final class MemoryRecorder: ExecutionRecorder {
    private let state = Mutex<(started: [Execution], traces: [DocumentTrace], finished: [Execution])>(([], [], []))

    func started(_ execution: Execution) async throws { state.withLock { $0.started.append(execution) } }
    func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        state.withLock { $0.traces += documents }
    }
    func finished(_ execution: Execution) async throws { state.withLock { $0.finished.append(execution) } }

    var traces: [DocumentTrace] { state.withLock { $0.traces } }
    var finished: [Execution] { state.withLock { $0.finished } }
    var started: [Execution] { state.withLock { $0.started } }
}

/// A connector whose operations are closures: reads fixed documents, or transforms batches.
struct ScriptedConnector: Connector {
    let type = "scripted"
    var documents: [Document] = []
    var execute: @Sendable ([Document], OperationContext) async throws -> OperationOutcome = { documents, _ in
        OperationOutcome(outputs: documents)
    }

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        Operation(documents: documents, body: execute)
    }

    struct Operation: ConnectorOperation {
        let documents: [Document]
        let body: @Sendable ([Document], OperationContext) async throws -> OperationOutcome

        func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
            try await emit(documents)
        }

        func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
            try await body(documents, context)
        }
    }
}

func json(_ text: String) -> Document { Document(data: Array(text.utf8)) }

/// A workspace with one process: start(input) → [shapes…] → stop, plus a scripted connection.
func workspace(shapes middle: [ShapeDefinition], tracking: [TrackedFieldBinding] = [],
               direction: TrackingDirection = .input, maps: [MapDefinition] = [],
               profiles: [ProfileDefinition] = [], properties: [ProcessPropertyDefinition] = []) -> Workspace {
    let first = middle.first?.id ?? "done"
    var shapes = [ShapeDefinition(id: "start", kind: .start(.input, next: first), location: here)]
    shapes += middle
    shapes.append(ShapeDefinition(id: "done", kind: .stop(continue: true), location: here))
    let process = ProcessDefinition(id: "p", name: "Test process", properties: properties, shapes: shapes, location: here)
    let connection = ConnectionDefinition(id: "c", type: "scripted", settings: SettingsElement(name: "connection", location: here), location: here)
    let operation = OperationDefinition(id: "op", type: "scripted", action: "do",
                                        settings: SettingsElement(name: "operation", location: here),
                                        trackingDirection: direction, tracking: tracking, location: here)
    return Workspace(root: "/tmp", processes: ["p": process], connections: ["c": connection],
                     operations: ["op": operation],
                     profiles: Dictionary(uniqueKeysWithValues: profiles.map { ($0.id, $0) }),
                     maps: Dictionary(uniqueKeysWithValues: maps.map { ($0.id, $0) }))
}

/// ``workspace(shapes:tracking:direction:maps:profiles:properties:)`` with one connector shape, `send`,
/// of the scripted connection's operation.
func sendWorkspace() -> Workspace {
    workspace(shapes: [ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "op", next: "done"), location: here)])
}

func value(_ parts: ValueSource...) -> ValueDefinition { ValueDefinition(parts: parts, location: here) }
