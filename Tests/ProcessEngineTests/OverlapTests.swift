import Foundation
@testable import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// What the overlapping connector saw, in order.
final class OverlapLog: Sendable {
    let events = Mutex<[String]>([])
    func add(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }
    func contains(_ event: String) -> Bool { events.withLock { $0.contains(event) } }
}

/// Reads `chunks` chunks of two documents (failing after `failAfter` chunks, if set) and runs
/// batches through `OverlappingConnectorOperation`: each batch's task waits (up to 2 s) until the
/// next batch has begun, so a run that overlaps shows `begin k+1` before `done k`.
struct OverlapConnector: Connector {
    let type = "overlap"
    var chunks = 3
    var readsWithoutSideEffects = true
    var failAfter: Int?
    var failIndex: Int?
    /// The operation takes batches handed over (``OverlappingConnectorOperation/beginHandedOver(_:context:)``);
    /// `declinesHandOver`: it is offered them and says no.
    var takesHandOver = false
    var declinesHandOver = false
    let log: OverlapLog

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        Operation(chunks: chunks, readsWithoutSideEffects: readsWithoutSideEffects, failAfter: failAfter,
                  failIndex: failIndex, takesHandOver: takesHandOver, declinesHandOver: declinesHandOver, log: log,
                  batches: Counter())
    }

    final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int {
            value.withLock { count in
                defer { count += 1 }
                return count
            }
        }
    }

    struct Operation: OverlappingConnectorOperation {
        let chunks: Int
        let readsWithoutSideEffects: Bool
        let failAfter: Int?
        let failIndex: Int?
        let takesHandOver: Bool
        let declinesHandOver: Bool
        let log: OverlapLog
        let batches: Counter

        func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
            for chunk in 0..<chunks {
                if chunk == failAfter { throw DocumentError("the source broke after \(chunk) chunks", code: .unavailable) }
                log.add("read \(chunk)")
                try await emit([json(#"{"n":\#(chunk * 2)}"#), json(#"{"n":\#(chunk * 2 + 1)}"#)])
            }
        }

        func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
            log.add("execute \(batches.next())")
            return outcome(documents)
        }

        func begin(_ documents: [Document], context: OperationContext) async -> Task<OperationOutcome, any Error> {
            let batch = batches.next()
            log.add("begin \(batch)")
            let log = log
            let outcome = outcome(documents)
            let last = batch + 1 >= min(chunks, failAfter ?? chunks)
            return Task {
                for _ in 0..<200 where !last && !log.contains("begin \(batch + 1)") {
                    try await Task.sleep(for: .milliseconds(10))
                }
                log.add("done \(batch)")
                return outcome
            }
        }

        /// Logs `handed k`, with `shared` when changing a document copied the batch (the engine
        /// still held a reference to it), and marks each document `handed`.
        func beginHandedOver(_ documents: inout [Document], context: OperationContext) async -> Task<HandedOverOutcome, Never>? {
            guard takesHandOver || declinesHandOver else { return nil }
            if declinesHandOver {
                log.add("declined")
                return nil
            }
            let batch = batches.next()
            let before = documents.withUnsafeBufferPointer { $0.baseAddress }
            for position in documents.indices { documents[position].properties["handed"] = String(batch) }
            let after = documents.withUnsafeBufferPointer { $0.baseAddress }
            log.add("handed \(batch)" + (before == after ? "" : " shared"))
            var taken: [Document] = []
            swap(&taken, &documents)
            let outcome = outcome(taken)
            let log = log
            let last = batch + 1 >= min(chunks, failAfter ?? chunks)
            return Task {
                for _ in 0..<200 where !last && !log.contains("handed \(batch + 1)") {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                log.add("done \(batch)")
                return HandedOverOutcome(outcome)
            }
        }

        func outcome(_ documents: [Document]) -> OperationOutcome {
            OperationOutcome(outputs: documents.filter { $0.index != failIndex },
                             failures: documents.filter { $0.index == failIndex }.map { DocumentFailure(document: $0, message: "row rejected", code: .rejected) })
        }
    }
}

@Suite("overlapping connector batches")
struct OverlapTests {
    /// start(connector) → [middle…] → send → stop.
    func workspace(middle: [ShapeDefinition] = [], afterSend: ShapeKind = .stop(continue: true)) -> Workspace {
        let first = middle.first?.id ?? "send"
        var shapes = [ShapeDefinition(id: "start", kind: .start(.connector(connection: "c", operation: "read"), next: first), location: here)]
        shapes += middle
        shapes.append(ShapeDefinition(id: "send", kind: .connector(connection: "c", operation: "write", next: "done"), location: here))
        shapes.append(ShapeDefinition(id: "done", kind: afterSend, location: here))
        let process = ProcessDefinition(id: "p", name: "Overlap", shapes: shapes, location: here)
        let connection = ConnectionDefinition(id: "c", type: "overlap", settings: SettingsElement(name: "connection", location: here), location: here)
        func operation(_ id: String) -> OperationDefinition {
            OperationDefinition(id: id, type: "overlap", action: id, settings: SettingsElement(name: "operation", location: here),
                                trackingDirection: .input, tracking: [], location: here)
        }
        return Workspace(root: "/tmp", processes: ["p": process], connections: ["c": connection],
                         operations: ["read": operation("read"), "write": operation("write")], profiles: [:], maps: [:])
    }

    func run(_ workspace: Workspace, _ connector: OverlapConnector) async -> (Execution, MemoryRecorder) {
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: workspace, connectors: ConnectorRegistry([connector]), recorder: recorder,
                                   environment: [:])
        return (await runner.run(processID: "p"), recorder)
    }

    @Test("in a straight path the next batch begins before the previous one is finished; all are recorded in order")
    func overlapsInAStraightPath() async throws {
        let log = OverlapLog()
        let (execution, recorder) = await run(workspace(), OverlapConnector(log: log))
        #expect(execution.status == .complete)
        #expect(execution.documentsIn == 6)
        #expect(execution.documentsOut == 6)
        let events = log.all
        for batch in 0..<2 {
            let begun = try #require(events.firstIndex(of: "begin \(batch + 1)"))
            let done = try #require(events.firstIndex(of: "done \(batch)"))
            #expect(begun < done, "batch \(batch + 1) began before batch \(batch) was done: \(events)")
        }
        #expect(events.contains("done 2"), "the last batch is finished at the end of the reading")
        #expect(!events.contains { $0.hasPrefix("execute") })
        let traced = recorder.traces.filter { $0.shapeID == "send" }.flatMap { trace in (0..<trace.count).map { trace.index + $0 } }
        #expect(traced == Array(0..<6))
    }

    @Test("documents a begun batch rejects are recorded as errors; the others go on")
    func failuresOfABegunBatch() async throws {
        let (execution, recorder) = await run(workspace(), OverlapConnector(failIndex: 3, log: OverlapLog()))
        #expect(execution.status == .error)
        #expect(execution.documentsOut == 5)
        #expect(execution.documentsError == 1)
        #expect(recorder.traces.filter { $0.status == .error }.map(\.index) == [3])
        #expect(execution.error?.contains("row rejected") == true)
    }

    @Test("a batch handed over is the only reference to its documents; batches still overlap, and are recorded in order")
    func handedOverBatchesAreTheOperations() async throws {
        let log = OverlapLog()
        let (execution, recorder) = await run(workspace(), OverlapConnector(takesHandOver: true, log: log))
        #expect(execution.status == .complete)
        #expect(execution.documentsOut == 6)
        let events = log.all
        #expect(events.filter { $0.hasPrefix("handed") } == ["handed 0", "handed 1", "handed 2"],
                "changing a document handed over copied the batch: \(events)")
        #expect(!events.contains { $0.hasPrefix("begin") || $0.hasPrefix("execute") })
        for batch in 0..<2 {
            let begun = try #require(events.firstIndex(of: "handed \(batch + 1)"))
            let done = try #require(events.firstIndex(of: "done \(batch)"))
            #expect(begun < done, "batch \(batch + 1) began before batch \(batch) was done: \(events)")
        }
        let traced = recorder.traces.filter { $0.shapeID == "send" }.flatMap { trace in (0..<trace.count).map { trace.index + $0 } }
        #expect(traced == Array(0..<6))
    }

    @Test("documents a handed-over batch rejects are recorded as errors, by their indexes; the others go on")
    func failuresOfAHandedOverBatch() async throws {
        let (execution, recorder) = await run(workspace(), OverlapConnector(failIndex: 3, takesHandOver: true, log: OverlapLog()))
        #expect(execution.status == .error)
        #expect(execution.documentsOut == 5)
        #expect(execution.documentsError == 1)
        #expect(recorder.traces.filter { $0.status == .error }.map(\.index) == [3])
        let traced = recorder.traces.filter { $0.shapeID == "send" && $0.status == .success }
            .flatMap { trace in (0..<trace.count).map { trace.index + $0 } }
        #expect(traced == [0, 1, 2, 4, 5])
        #expect(execution.error?.contains("row rejected") == true)
    }

    @Test("when the reading fails, a handed-over batch in flight is still finished and recorded")
    func readFailureSettlesTheHandedOverBatch() async throws {
        let log = OverlapLog()
        let (execution, recorder) = await run(workspace(), OverlapConnector(failAfter: 2, takesHandOver: true, log: log))
        #expect(execution.status == .error)
        #expect(log.all.contains("done 1"))
        #expect(execution.documentsOut == 4)
        let traced = recorder.traces.filter { $0.shapeID == "send" && $0.status == .success }
            .flatMap { trace in (0..<trace.count).map { trace.index + $0 } }
        #expect(traced == Array(0..<4))
    }

    @Test("a batch is not handed over when the engine needs its documents after the operation, nor when the operation declines it")
    func batchesKeptWhenNeeded() async throws {
        var ws = workspace()
        ws.processes["p"]?.captureDocuments = .all
        let log = OverlapLog()
        let (captured, _) = await run(ws, OverlapConnector(takesHandOver: true, log: log))
        #expect(captured.status == .complete)
        #expect(!log.all.contains { $0.hasPrefix("handed") }, "captureDocuments=\"all\" reads every input: \(log.all)")
        #expect(log.all.filter { $0.hasPrefix("begin") }.count == 3)

        let declining = OverlapLog()
        let (execution, recorder) = await run(workspace(), OverlapConnector(failIndex: 4, declinesHandOver: true, log: declining))
        #expect(declining.all.filter { $0 == "declined" }.count == 3)
        #expect(declining.all.filter { $0.hasPrefix("begin") }.count == 3, "a declined batch begins with its documents: \(declining.all)")
        #expect(execution.documentsOut == 5)
        #expect(recorder.traces.filter { $0.status == .error }.map(\.index) == [4])
    }

    @Test("when the reading fails, the batch in flight is still finished and recorded")
    func readFailureSettlesTheBatchInFlight() async throws {
        let log = OverlapLog()
        let (execution, recorder) = await run(workspace(), OverlapConnector(failAfter: 2, log: log))
        #expect(execution.status == .error)
        #expect(execution.error?.contains("the source broke after 2 chunks") == true)
        #expect(log.all.contains("done 1"))
        #expect(execution.documentsOut == 4, "both batches read before the failure reached the stop shape")
        let traced = recorder.traces.filter { $0.shapeID == "send" && $0.status == .success }
            .flatMap { trace in (0..<trace.count).map { trace.index + $0 } }
        #expect(traced == Array(0..<4))
    }

    @Test("a start operation whose reading has side effects runs each batch to the end first")
    func noOverlapWhenReadingHasSideEffects() async throws {
        let log = OverlapLog()
        let (execution, _) = await run(workspace(), OverlapConnector(readsWithoutSideEffects: false, log: log))
        #expect(execution.status == .complete)
        #expect(log.all == ["read 0", "execute 0", "read 1", "execute 1", "read 2", "execute 2"])
    }

    @Test("anything but map shapes before the connector, or a shape after it other than a stop that continues, turns overlap off",
          arguments: [0, 1, 2])
    func noOverlapOffTheStraightPath(_ variant: Int) async throws {
        let ws: Workspace
        switch variant {
        case 0:
            let assignment = PropertyAssignment(scope: .process, name: "seen", value: value(.literal("yes")))
            ws = workspace(middle: [ShapeDefinition(id: "set", kind: .setProperties([assignment], next: "send"), location: here)])
        case 1:
            ws = workspace(afterSend: .stop(continue: false))
        default:
            ws = workspace(afterSend: .returnDocuments)
        }
        let log = OverlapLog()
        _ = await run(ws, OverlapConnector(log: log))
        #expect(log.all.filter { $0.hasPrefix("begin") }.isEmpty)
        #expect(log.all.contains("execute 0"))
    }

    @Test("overlapShape finds the connector of a straight start → map → connector → stop path only")
    func overlapShapeOfProcesses() {
        let straight = workspace(middle: [ShapeDefinition(id: "m", kind: .map(map: "x", next: "send"), location: here)])
        #expect(ExecutionRun.overlapShape(of: straight.processes["p"]!) == "send")
        let branched = workspace(middle: [ShapeDefinition(id: "b", kind: .branch(paths: ["send"]), location: here)])
        #expect(ExecutionRun.overlapShape(of: branched.processes["p"]!) == nil)
    }
}
