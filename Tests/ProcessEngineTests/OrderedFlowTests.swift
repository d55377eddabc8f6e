import DocumentMapping
import Foundation
@testable import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// Reads `documents` in chunks of `chunk`; its writes record each call's documents, in call order.
struct ChunkedConnector: Connector {
    let type = "chunked"
    var documents: [Document]
    var chunk = 1_000
    let calls: CallLog
    /// The write call (1-based) that throws instead of writing.
    var failingCall: Int?
    /// The read throws after this many chunks.
    var chunksBeforeReadFails: Int?
    /// When set, the read hands chunks over in place and, as disk get does, fills the next chunks
    /// with the buffers of the documents that come back; how many came back after each chunk is
    /// appended here.
    var returned: ReturnLog?

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        Operation(documents: documents, chunk: chunk, calls: calls, failingCall: failingCall,
                  chunksBeforeReadFails: chunksBeforeReadFails, returned: returned)
    }

    struct Operation: ConnectorOperation {
        let documents: [Document]
        let chunk: Int
        let calls: CallLog
        let failingCall: Int?
        let chunksBeforeReadFails: Int?
        let returned: ReturnLog?
        var readsWithoutSideEffects: Bool { true }

        func readInPlace(context: OperationContext, handOver: (inout [Document]) async throws -> Void) async throws {
            guard let returned else {
                try await read(context: context) { chunk in
                    var owned = chunk
                    try await handOver(&owned)
                }
                return
            }
            var spare: [[UInt8]] = []
            for (number, start) in stride(from: 0, to: documents.count, by: chunk).enumerated() {
                if number == chunksBeforeReadFails { throw DocumentError("the source went away", code: .unavailable) }
                var chunkDocuments: [Document] = []
                for var document in documents[start..<min(start + chunk, documents.count)] {
                    if var buffer = spare.popLast() {
                        // Emptying a buffer still held elsewhere gets a new one (copy on write).
                        buffer.removeAll(keepingCapacity: true)
                        buffer.append(contentsOf: document.data)
                        document.data = buffer
                    }
                    chunkDocuments.append(document)
                }
                try await handOver(&chunkDocuments)
                returned.counts.withLock { $0.append(chunkDocuments.count) }
                for position in chunkDocuments.indices {
                    var buffer: [UInt8] = []
                    swap(&buffer, &chunkDocuments[position].data)
                    spare.append(buffer)
                }
            }
        }

        func read(context: OperationContext, emit: ([Document]) async throws -> Void) async throws {
            for (number, start) in stride(from: 0, to: documents.count, by: chunk).enumerated() {
                if number == chunksBeforeReadFails { throw DocumentError("the source went away", code: .unavailable) }
                try await emit(Array(documents[start..<min(start + chunk, documents.count)]))
            }
        }

        func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
            let refused = calls.calls.withLock { calls -> Bool in
                calls.append(documents.map(\.text))
                guard calls.count == failingCall else { return false }
                calls[calls.count - 1] = []
                return true
            }
            if refused { throw DocumentError("write refused", code: .unavailable) }
            return OperationOutcome(outputs: documents)
        }
    }
}

/// A recorder of connector calls shared with the test (`Mutex` is not copyable: a class holds it).
final class CallLog: Sendable {
    let calls = Mutex<[[String]]>([])
}

/// How many documents came back to the reading operation after each chunk it handed over.
final class ReturnLog: Sendable {
    let counts = Mutex<[Int]>([])
}

@Suite("flowControl threads on a straight path: maps over the threads, the connector in order")
struct OrderedFlowTests {
    let input = ProfileDefinition(id: "in", type: .json, elements: [
        ProfileElement(name: "id", type: "number", required: true, location: here),
        ProfileElement(name: "name", type: "character", location: here),
    ], location: here)
    let output = ProfileDefinition(id: "out", type: .json, elements: [
        ProfileElement(name: "order_id", type: "number", location: here),
        ProfileElement(name: "customer", type: "character", location: here),
    ], location: here)
    var map: MapDefinition {
        MapDefinition(id: "m", fromProfile: "in", toProfile: "out", mappings: [
            MappingRule(from: "/id", to: "/order_id", location: here),
            MappingRule(from: "/name", to: "/customer", functions: [MapFunctionCall(name: "uppercase", location: here)],
                        location: here),
        ], location: here)
    }

    /// start(read) → [flow(batchSize, threads)] → map → write → stop.
    func workspace(flow: FlowControlDefinition?) -> Workspace {
        var shapes = [ShapeDefinition(id: "start", kind: .start(.connector(connection: "c", operation: "read"),
                                                                next: flow == nil ? "map" : "flow"), location: here)]
        if let flow { shapes.append(ShapeDefinition(id: "flow", kind: .flowControl(flow, next: "map"), location: here)) }
        shapes += [
            ShapeDefinition(id: "map", kind: .map(map: "m", next: "write"), location: here),
            ShapeDefinition(id: "write", kind: .connector(connection: "c", operation: "write", next: "done"), location: here),
            ShapeDefinition(id: "done", kind: .stop(continue: true), location: here),
        ]
        let process = ProcessDefinition(id: "p", name: "Ordered", shapes: shapes, location: here)
        let connection = ConnectionDefinition(id: "c", type: "chunked", settings: SettingsElement(name: "connection", location: here),
                                              location: here)
        func operation(_ id: String) -> OperationDefinition {
            OperationDefinition(id: id, type: "chunked", action: id, settings: SettingsElement(name: "operation", location: here),
                                trackingDirection: .input, tracking: [], location: here)
        }
        return Workspace(root: "/tmp", processes: ["p": process], connections: ["c": connection],
                         operations: ["read": operation("read"), "write": operation("write")],
                         profiles: ["in": input, "out": output], maps: ["m": map])
    }

    /// 3,000 documents: most take the fast path; some are not JSON, lack the required id, or carry
    /// text the fast path leaves to the tree path (escapes, non-ASCII).
    var documents: [Document] {
        (0..<3_000).map { n -> Document in
            switch n % 97 {
            case 5: return json("{broken \(n)")
            case 11: return json(#"{"name":"no id \#(n)"}"#)
            case 17: return json(#"{"id":\#(n),"name":"quote \" and \u00e9 \#(n)"}"#)
            case 23: return json(#"{"id":\#(n),"name":"Zoë Straße \#(n)"}"#)
            default: return json(#"{"id":\#(n),"name":"customer \#(n)","extra":[1,{"a":null}]}"#)
            }
        }
    }

    func run(_ workspace: Workspace, failingCall: Int? = nil, chunksBeforeReadFails: Int? = nil, returned: ReturnLog? = nil)
        async -> (Execution, [[String]], MemoryRecorder) {
        let log = CallLog()
        let connector = ChunkedConnector(documents: documents, calls: log, failingCall: failingCall,
                                         chunksBeforeReadFails: chunksBeforeReadFails, returned: returned)
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: workspace, connectors: ConnectorRegistry([connector]), recorder: recorder,
                                   environment: [:])
        let execution = await runner.run(processID: "p")
        return (execution, log.calls.withLock { $0 }, recorder)
    }

    @Test("threads 2 writes exactly what threads 1 writes, in the same order, and records the same failures",
          arguments: [(300, 2), (1, 2), (1_000, 4), (7_000, 2)])
    func sameOutputAsOneThread(_ batchSize: Int, _ threads: Int) async throws {
        let (serial, serialCalls, serialRecorder) = await run(workspace(flow: nil))
        let flow = FlowControlDefinition(batchSize: batchSize, threads: threads)
        #expect(ExecutionRun.orderedFlow(of: workspace(flow: flow).processes["p"]!)?.id == "flow")
        let (threaded, calls, recorder) = await run(workspace(flow: flow))

        let written = calls.flatMap { $0 }
        let expected = serialCalls.flatMap { $0 }
        let firstDifference = written.indices.first { $0 >= expected.count || written[$0] != expected[$0] } ?? written.count
        #expect(written.count == expected.count && firstDifference == written.count, "the same documents, in the same order; the first difference at \(firstDifference) of \(expected.count)")
        #expect(calls.flatMap { $0 }.count == 3_000 - 2 * 31, "documents 5 and 11 of every 97 fail the map")
        #expect(calls.allSatisfy { $0.count <= batchSize }, "the connector is called per flowControl batch")
        #expect(calls.count >= (3_000 - 62 + batchSize - 1) / batchSize)
        #expect(threaded.status == serial.status)
        #expect(threaded.status == .error)
        #expect(threaded.documentsIn == 3_000)
        #expect(threaded.documentsOut == serial.documentsOut)
        #expect(threaded.documentsError == serial.documentsError)
        #expect(threaded.documentsError == 62)
        #expect(threaded.error == serial.error)
        let failed = recorder.traces.filter { $0.status == .error }
        #expect(failed.map(\.index) == serialRecorder.traces.filter { $0.status == .error }.map(\.index))
        #expect(failed.allSatisfy { $0.shapeID == "map" })
        let traced = recorder.traces.filter { $0.shapeID == "write" }.flatMap { trace in (0..<trace.count).map { trace.index + $0 } }
        #expect(traced == serialRecorder.traces.filter { $0.shapeID == "write" }.flatMap { trace in (0..<trace.count).map { trace.index + $0 } })
        let counts = Dictionary(uniqueKeysWithValues: threaded.shapeCounts.map { ($0.shapeID, $0) })
        #expect(counts["flow"]?.documentsIn == 3_000)
        #expect(counts["flow"]?.documentsOut == 3_000)
        #expect(counts["map"]?.documentsOut == 3_000 - 62)
        #expect(counts["write"]?.documentsIn == 3_000 - 62)
        #expect(calls.first?.first == #"{"order_id":0,"customer":"CUSTOMER 0"}"#)
    }

    @Test("a write that throws fails its batch only: the other batches are written in order, while maps run ahead",
          arguments: [1, 3, 4, 5, 8, 12])
    func writeThrows(_ failingCall: Int) async throws {
        let (_, serialCalls, _) = await run(workspace(flow: nil))
        // Chunks of 1,000 documents, batches of 300: four writes a chunk, twelve in all.
        let (threaded, calls, recorder) = await run(workspace(flow: FlowControlDefinition(batchSize: 300, threads: 2)),
                                                    failingCall: failingCall)
        #expect(calls.count == 12)
        let refused = calls.count >= failingCall ? calls[failingCall - 1] : []
        #expect(refused.isEmpty)
        // What was written is what one thread writes, less the refused batch, in the same order.
        let everything = serialCalls.flatMap { $0 }
        let batches = stride(from: 0, to: 3, by: 1).flatMap { chunk -> [[String]] in
            let chunkDocuments = serialCalls[chunk]
            return stride(from: 0, to: chunkDocuments.count, by: 300).map { Array(chunkDocuments[$0..<min($0 + 300, chunkDocuments.count)]) }
        }
        #expect(batches.flatMap { $0 } == everything)
        var expected = batches
        let refusedBatch = expected[failingCall - 1]
        expected[failingCall - 1] = []
        #expect(calls == expected)
        let failedWrites = recorder.traces.filter { $0.shapeID == "write" && $0.status == .error }
        #expect(failedWrites.reduce(0) { $0 + $1.count } == refusedBatch.count)
        #expect(failedWrites.allSatisfy { ($0.error ?? "").contains("write refused") })
        #expect(threaded.documentsIn == 3_000)
        #expect(threaded.documentsError == 62 + refusedBatch.count)
        let counts = Dictionary(uniqueKeysWithValues: threaded.shapeCounts.map { ($0.shapeID, $0) })
        #expect(counts["map"]?.documentsIn == 3_000)
        #expect(counts["map"]?.documentsOut == 3_000 - 62)
        #expect(counts["write"]?.documentsIn == 3_000 - 62)
        #expect(counts["write"]?.documentsError == refusedBatch.count)
    }

    @Test("a read that fails after some chunks: every chunk read is written, the one mapped ahead too, as with one thread",
          arguments: [1, 2])
    func readFails(_ chunks: Int) async throws {
        let (serial, serialCalls, _) = await run(workspace(flow: nil), chunksBeforeReadFails: chunks)
        let (threaded, calls, _) = await run(workspace(flow: FlowControlDefinition(batchSize: 300, threads: 2)),
                                             chunksBeforeReadFails: chunks)
        #expect(serial.status == .error)
        #expect(threaded.status == .error)
        #expect(threaded.error == serial.error, "\(threaded.error ?? "")")
        #expect(!calls.isEmpty)
        #expect(calls.flatMap { $0 } == serialCalls.flatMap { $0 }, "the chunks read before the failure, all written, in order")
        #expect(threaded.documentsIn == chunks * 1_000)
        #expect(threaded.documentsOut == serial.documentsOut)
        #expect(threaded.documentsError == serial.documentsError)
    }

    @Test("with the map running ahead, written chunks go back to the read for reuse, and what is written stays the same",
          arguments: [(300, 2), (1_000, 2), (7_000, 2), (300, 4)])
    func chunksComeBackForReuse(_ batchSize: Int, _ threads: Int) async throws {
        let (_, serialCalls, _) = await run(workspace(flow: nil))
        let returned = ReturnLog()
        let (threaded, calls, _) = await run(workspace(flow: FlowControlDefinition(batchSize: batchSize, threads: threads)),
                                             returned: returned)
        #expect(calls.flatMap { $0 } == serialCalls.flatMap { $0 }, "the same documents written, in the same order")
        #expect(threaded.documentsIn == 3_000)
        #expect(threaded.documentsError == 62)
        let counts = returned.counts.withLock { $0 }
        #expect(counts.count == 3)
        // The first chunk is still being mapped when it is handed over; each later hand-over brings
        // back the chunk before it, all of its documents the map passed (31 of 1,000 fail it).
        #expect(counts.first == 0)
        #expect(counts.dropFirst().allSatisfy { $0 >= 960 }, "\(counts)")
    }

    @Test("the fast phase over several threads maps every document as one thread does, in place and in order")
    func fastPhaseOverThreads() async throws {
        let compiled = try CompiledMap(map: map, profiles: ["in": input, "out": output])
        let fastPath = try #require(compiled.fastPath)
        var one = documents
        var four = documents
        let mappedOne = await FastMapPhase.run(fastPath, on: &one, threads: 1)
        let mappedFour = await FastMapPhase.run(fastPath, on: &four, threads: 4)
        #expect(mappedFour == mappedOne)
        #expect(mappedOne.contains(false), "some documents are left to the tree path")
        #expect(mappedOne.filter { $0 }.count > 2_500)
        #expect(four.map(\.text) == one.map(\.text))
        #expect(four.map(\.index) == one.map(\.index))
        #expect(four.map(\.isKnownJSONObject) == mappedFour, "exactly the documents the fast path wrote are known objects")
        var none = documents
        #expect(await FastMapPhase.run(nil, on: &none, threads: 4) == [Bool](repeating: false, count: 3_000))
    }

    @Test("only a straight path with one threaded flowControl and a map below it keeps the order; others run lanes")
    func whichFlowIsOrdered() {
        let threaded = FlowControlDefinition(batchSize: 10, threads: 2)
        let ordered = workspace(flow: threaded).processes["p"]!
        #expect(ExecutionRun.orderedFlow(of: ordered)?.threads == 2)
        #expect(ExecutionRun.orderedFlow(of: ordered)?.batchSize == 10)
        #expect(ExecutionRun.overlapShape(of: ordered) == "write", "its connector batches still overlap the reading")
        #expect(ExecutionRun.orderedFlow(of: workspace(flow: FlowControlDefinition(batchSize: 10)).processes["p"]!) == nil,
                "one thread: batches one after another already")
        #expect(ExecutionRun.orderedFlow(of: workspace(flow: nil).processes["p"]!) == nil)

        // No map below the flowControl shape: its lanes overlap slow connector calls instead.
        var noMap = ordered
        noMap.shapes = ordered.shapes.filter { $0.id != "map" }.map { shape in
            shape.id == "flow" ? ShapeDefinition(id: "flow", kind: .flowControl(threaded, next: "write"), location: here) : shape
        }
        #expect(ExecutionRun.orderedFlow(of: noMap) == nil)
        #expect(ExecutionRun.overlapShape(of: noMap) == nil)

        // A stop that ends the execution after the connector: not a straight path.
        var stops = ordered
        stops.shapes = ordered.shapes.map { $0.id == "done" ? ShapeDefinition(id: "done", kind: .stop(continue: false), location: here) : $0 }
        #expect(ExecutionRun.orderedFlow(of: stops) == nil)
    }
}
