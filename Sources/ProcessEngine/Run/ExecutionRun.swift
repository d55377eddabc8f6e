import ConveyorBase
import DocumentMapping
import ExecutionModel
import Foundation
import ProcessModel
import Synchronization

/// The state of one execution while it runs. Used by a single task only; a flowControl shape
/// with `threads` > 1 runs its batches in lanes (see `ExecutionRun+Lanes.swift`), each its own
/// `ExecutionRun` on its own task, sharing only the Sendable ``RunSharedState``.
final class ExecutionRun {
    let runner: ProcessRunner
    let process: ProcessDefinition
    let info: ExecutionInfo
    /// How many process calls deep this execution runs (0 for a top-level execution).
    let callDepth: Int
    var processProperties: [String: String]
    var execution: Execution
    var shapeIndex: [String: Int] = [:]
    /// Operations, compiled maps and patterns, and the index counter, shared with lanes.
    let shared: RunSharedState
    /// Set for a lane running one flowControl batch (see ``LaneSeed``): the parent's counts when
    /// the lane started, added to the lane's own in progress reports. A lane's tracking records
    /// wait for the parent to merge them; a lane stores nothing itself.
    var parentCounts: ProgressCounts?
    var isLane: Bool { parentCounts != nil }
    /// Tracking records not yet stored, and how storing the execution's records went.
    var recording = RecordingState()
    var applicationErrors = 0
    /// Warnings that make the execution COMPLETE_WARN (notify shapes, process calls).
    var warnings = 0
    /// Open tryCatch scopes, innermost last: a failure inside one is collected, not recorded.
    var catchScopes: [CatchScope] = []
    /// Whether a stop shape (or a failure to record) ended the reading, and where it said so.
    var stop = StopState()
    /// Documents handed to `returnDocuments` shapes, for the caller.
    var returned: [Document] = []
    /// Documents waiting at combine shapes until the start shape is done.
    var pendingCombines: [String: [Document]] = [:]
    /// Shape ids in graph order (a shape before the shapes it sends documents to).
    private(set) var graphOrder: [String] = []
    var pushDepth = 0
    /// See ``startChunkSize(of:runner:)``.
    let startChunkSize: Int
    /// The overlapping connector shape's batches while the start shape reads (see
    /// ``BatchPipeline`` and ``overlapShape(of:)``).
    var overlap = OverlapState()
    /// A chunk of an ordered flow whose map runs ahead (see ``mapAheadOf(shape:mapID:next:fastPath:documents:)``).
    var mapAhead = MapAheadState()
    /// Set while a chunk whose map the next connector shape does goes to it (see ``fusedMap(shape:mapID:next:)``).
    var pendingMap: PendingMap?
    /// Set while documents pass an ordered flowControl shape (see ``orderedFlow(of:)``): the
    /// threads the maps below it spread their documents over, and the batch size its connector
    /// shape is called with.
    var orderedFlow: (threads: Int, batchSize: Int)?
    /// The process's ordered flowControl shape, if it has one.
    let orderedFlowShape: (id: String, threads: Int, batchSize: Int)?
    /// The change stream of a `<cdc>` start shape, settled once the execution's status is known.
    var changeReader: (any ChangeReader)?
    /// The documents a retry execution sends instead of reading its start shape.
    var retryPlan: RetryPlan?

    init(runner: ProcessRunner, process: ProcessDefinition, info: ExecutionInfo, processProperties: [String: String],
         callDepth: Int = 0, shared: RunSharedState = RunSharedState()) {
        self.shared = shared
        self.runner = runner
        self.process = process
        self.info = info
        self.callDepth = callDepth
        self.processProperties = processProperties
        self.execution = Execution(info: info, shapeCounts: process.shapes.map { ShapeCount(shapeID: $0.id) })
        for (index, shape) in process.shapes.enumerated() { shapeIndex[shape.id] = index }
        graphOrder = Self.graphOrder(of: process)
        startChunkSize = Self.startChunkSize(of: process, runner: runner)
        orderedFlowShape = Self.orderedFlow(of: process)
    }

    /// A new document index from the execution's counter.
    func newIndex() -> Int { shared.newIndex() }

    /// The shape with this id.
    func shape(_ id: String) -> ShapeDefinition? { shapeIndex[id].map { process.shapes[$0] } }

    func execute(inputs: [Document]) async -> Execution {
        do {
            try await runner.recorder.started(execution)
        } catch {
            // Nothing runs that could not be recorded.
            execution.status = .error
            execution.endTime = runner.now()
            execution.error = "could not record the execution, so it did not run: \(error)"
            return execution
        }
        recording.lastCheckpoint = ContinuousClock.now
        do {
            if let retryPlan {
                try await runRetry(retryPlan)
            } else {
                try await runStart(inputs: inputs)
            }
            if execution.documentsIn == 0, process.stopIfNoDocuments {
                execution.userLog.append("the start shape produced no documents; nothing else ran (stopIfNoDocuments)")
            } else {
                try await flushCombines()
            }
        } catch is StopSignal {
            do { try await flushCombines() } catch { fail(execution: "\(error)") }
        } catch {
            fail(execution: "\(error)")
        }
        for operation in await shared.operations.created() { await operation.close() }
        await flushTraces()
        finish()
        if let failure = recording.failure { failRecording(failure) }
        if let changeReader {
            let succeeded = execution.status == .complete || execution.status == .completeWarn
            execution.userLog.append(await changeReader.settle(succeeded: succeeded))
        }
        do {
            try await runner.recorder.finished(execution)
        } catch {
            // The end could not be recorded: the execution is in ERROR, and the recorder is told
            // so again (it keeps what it can, see `ExecutionRecorder.finished`).
            failRecording("could not record the end of the execution: \(error)")
            try? await runner.recorder.finished(execution)
        }
        return execution
    }

    /// The execution's records could not all be written: it ends in ERROR, naming why.
    private func failRecording(_ message: String) {
        let message = ErrorText.bounded(message)
        execution.status = .error
        if let error = execution.error, error != message, !error.hasPrefix("could not record") {
            execution.error = "\(message); first error: \(error)"
        } else {
            execution.error = message
        }
    }

    // MARK: - Start

    private func runStart(inputs: [Document]) async throws {
        guard let start = process.startShape, case .start(let source, let next) = start.kind else {
            throw DocumentError("process '\(process.id)' has no start shape", code: .process)
        }
        switch source {
        case .noData:
            var chunk = [Document(data: [])]
            try await emitFromStart(start, &chunk, next: next)
        case .input:
            var chunk: [Document] = []
            for document in inputs {
                if stop.requested { break }
                chunk.append(document)
                if chunk.count >= runner.chunkSize {
                    try await emitFromStart(start, &chunk, next: next)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try await emitFromStart(start, &chunk, next: next) }
        case .connector(let connectionID, let operationID):
            let operation = try await operation(forShape: start.id, connectionID: connectionID, operationID: operationID)
            let context = operationContext(shapeID: start.id)
            let overlapping = operation.readsWithoutSideEffects && callDepth == 0 && !isLane
            try await readOverlapping(operation, shapeID: overlapping ? Self.overlapShape(of: process) : nil,
                                      context: context, handOver: { (documents: inout [Document]) in
                try await self.emitFromStart(start, &documents, next: next)
            })
        case .changes(let capture):
            let reader = try await changeReader(forShape: start.id, capture: capture)
            changeReader = reader
            try await reader.readInPlace(context: operationContext(shapeID: start.id), handOver: { documents in
                try await self.emitFromStart(start, &documents, next: next)
            })
        }
    }

    /// The change stream of a `<cdc>` start shape: a micro-batch for a host's `changes` trigger,
    /// everything committed so far otherwise.
    private func changeReader(forShape shapeID: String, capture: ChangeCaptureStart) async throws -> any ChangeReader {
        guard let connection = runner.workspace.connections[capture.connection] else {
            throw DocumentError("connection '\(capture.connection)' does not exist", code: .process)
        }
        guard let connector = runner.connectors.connector(for: connection.type) as? any ChangeCaptureConnector else {
            throw DocumentError("shape '\(shapeID)': connection '\(capture.connection)' of type '\(connection.type)' "
                                + "cannot capture changes", code: .process)
        }
        let mode: ChangeReadMode = info.trigger == .changes ? .batch(capture.maxBatch) : .untilCaughtUp
        let shared = shared
        let environment = ConnectorEnvironment(workspaceRoot: runner.workspace.root, variables: runner.environment,
                                               countRetry: { shared.retries.wrappingAdd(1, ordering: .relaxed) },
                                               noteRetry: retryNotes(forShape: shapeID))
        let operation = try await shared.operations.operation(forShape: shapeID) {
            try await connector.makeChangeReader(connection: connection, capture: capture, mode: mode,
                                                 environment: environment)
        }
        guard let reader = operation as? any ChangeReader else {
            throw DocumentError("shape '\(shapeID)': the connector gave no change stream", code: .process)
        }
        return reader
    }

    /// Numbers a chunk from the start shape and sends it on, taking the documents out of `documents`.
    private func emitFromStart(_ start: ShapeDefinition, _ documents: inout [Document], next: String) async throws {
        if stop.requested { throw StopSignal() }
        var numbered: [Document] = []
        swap(&numbered, &documents)
        let first = shared.newIndexes(numbered.count)
        for position in numbered.indices { numbered[position].index = first + position }
        if !isLane, ContinuousClock.now - recording.lastCheckpoint >= runner.countsInterval {
            await checkpoint()
        }
        execution.documentsIn += numbered.count
        tally(start.id) { $0.documentsOut += numbered.count }
        try await push(taking: &numbered, to: next)
        // What the shapes left in the array goes back to the operation, which may reuse its buffers.
        swap(&numbered, &documents)
    }

    // MARK: - Shapes

    /// Sends documents down the graph from `shapeID`, depth first.
    func push(_ documents: [Document], to shapeID: String) async throws {
        guard !documents.isEmpty else { return }
        var owned = documents
        try await push(taking: &owned, to: shapeID)
    }

    /// Sends documents down the graph from `shapeID`, depth first; shapes that change documents
    /// one by one (map) may change them in place, and `documents` then holds what the shapes are
    /// done with (possibly nothing), for the caller to drop or reuse.
    func push(taking documents: inout [Document], to shapeID: String) async throws {
        guard !documents.isEmpty else { return }
        guard let position = shapeIndex[shapeID] else {
            throw DocumentError("shape '\(shapeID)' does not exist in process '\(process.id)'", code: .process)
        }
        let shape = process.shapes[position]
        guard pushDepth < Self.maximumPathLength else {
            throw DocumentError("shape '\(shape.id)': documents passed more than \(Self.maximumPathLength) shapes in one path; "
                                + "a loop through a flowControl shape never ends", code: .process)
        }
        pushDepth += 1
        defer { pushDepth -= 1 }
        tally(shape.id) { $0.documentsIn += documents.count }
        reportProgress(at: shape.id)
        switch shape.kind {
        case .start:
            throw DocumentError("shape '\(shape.id)': documents cannot enter a start shape", code: .process)
        case .stop(let continues):
            execution.documentsOut += documents.count
            tally(shape.id) { $0.documentsOut += documents.count }
            if !continues, !stop.requested {
                stop.requested = true
                stop.logLine = execution.userLog.count
                execution.userLog.append("stopped by shape '\(shape.id)' (continue=\"false\")")
            }
        case .returnDocuments:
            execution.documentsOut += documents.count
            tally(shape.id) { $0.documentsOut += documents.count }
            returned += documents
        case .map(let mapID, let next):
            var outputs: [Document] = []
            swap(&outputs, &documents)
            if let fastPath = mapAheadPath(mapID: mapID, next: next) {
                try await mapAheadOf(shape: shape, mapID: mapID, next: next, fastPath: fastPath, documents: &outputs)
                // What the shapes left of the chunk before, for the start shape to reuse.
                swap(&outputs, &documents)
                return
            }
            if let pending = await fusedMap(shape: shape, mapID: mapID, next: next) {
                // The connector shape maps as it writes: the documents go on as the map's inputs,
                // and those the map fails come back from it to be recorded here.
                tally(shape.id) { $0.documentsOut += outputs.count }
                pendingMap = pending
                defer { pendingMap = nil }
                try await push(taking: &outputs, to: next)
                swap(&outputs, &documents)
                return
            }
            await runMap(shape: shape, mapID: mapID, documents: &outputs)
            tally(shape.id) { $0.documentsOut += outputs.count }
            try await push(taking: &outputs, to: next)
            swap(&outputs, &documents)
        case .setProperties(let assignments, let next):
            let outputs = runSetProperties(shape: shape, assignments: assignments, documents: documents)
            tally(shape.id) { $0.documentsOut += outputs.count }
            try await push(outputs, to: next)
        case .connector(let connectionID, let operationID, let next):
            if let batchSize = orderedFlow?.batchSize, documents.count > batchSize {
                // Below an ordered flowControl shape: one call per batch, in batch order. The
                // documents go back for reuse once every batch is finished; while the last one may
                // still be in flight, none does.
                for start in stride(from: 0, to: documents.count, by: batchSize) {
                    var batch = Array(documents[start..<min(start + batchSize, documents.count)])
                    try await runConnector(shape: shape, connectionID: connectionID, operationID: operationID,
                                           documents: &batch, next: next)
                }
                if overlap.isInFlight(at: shape.id) {
                    documents = []
                    overlap.settledDocuments = []
                }
                return
            }
            try await runConnector(shape: shape, connectionID: connectionID, operationID: operationID,
                                   documents: &documents, next: next)
            if overlap.isInFlight(at: shape.id) {
                // These documents are still in flight; the batch finished before them goes back
                // instead (its buffers are free to reuse, theirs are not).
                documents = overlap.settledDocuments
                overlap.settledDocuments = []
            }
        case .flowControl(_, let next) where shape.id == orderedFlowShape?.id:
            // The documents go on as one chunk (moved, so the maps rewrite them in place); the maps
            // below spread them over the threads and the connector is called per batch, in order.
            tally(shape.id) { $0.documentsOut += documents.count }
            let saved = orderedFlow
            orderedFlow = orderedFlowShape.map { ($0.threads, $0.batchSize) }
            defer { orderedFlow = saved }
            try await push(taking: &documents, to: next)
        default:
            try await pushFlow(documents, to: shape)
        }
    }

    /// The longest chain of shapes one push may pass (loops through flowControl shapes end here).
    static let maximumPathLength = 1_000

    /// Maps every document in place; documents that fail are recorded and removed. `premapped`:
    /// the fast path has already run (see ``mapAheadOf(shape:mapID:next:fastPath:documents:)``).
    func runMap(shape: ShapeDefinition, mapID: String, documents: inout [Document], premapped: [Bool]? = nil) async {
        let compiled: CompiledMap
        do {
            compiled = try compiledMap(mapID)
        } catch {
            for document in documents { fail(document, at: shape, message: "\(error)", code: DocumentError.code(of: error, else: .mapping)) }
            documents.removeAll()
            return
        }
        // One context per chunk; document properties are only copied in when the map reads them.
        var context = MapContext(now: runner.now(), documentProperties: [:], processProperties: processProperties)
        // JSON to JSON without building a tree, over several threads below an ordered flowControl
        // shape; documents it does not handle take the tree path below, one after another.
        // The output takes the input's place; the input's buffer is reused for the next output.
        let mapped: [Bool]
        if let premapped {
            mapped = premapped
        } else {
            mapped = await FastMapPhase.run(compiled.fastPath, on: &documents, threads: orderedFlow?.threads ?? 1)
        }
        /// Documents before this position are mapped and kept, in order.
        var kept = 0
        for position in documents.indices {
            if mapped[position] {
                if kept != position { documents.swapAt(kept, position) }
                kept += 1
                continue
            }
            do {
                let setProperties = try Self.mapOnTree(compiled, &documents[position], context: context)
                if !setProperties.isEmpty {
                    for (name, value) in setProperties { processProperties[name] = value }
                    context.processProperties = processProperties
                }
                if kept != position { documents.swapAt(kept, position) }
                kept += 1
            } catch {
                fail(documents[position], at: shape, message: "\(error)", code: DocumentError.code(of: error, else: .mapping))
            }
        }
        documents.removeSubrange(kept...)
    }

    /// Maps one document on the tree path, in place (left as it was when the map fails); returns
    /// the process properties the map set.
    static func mapOnTree(_ compiled: CompiledMap, _ document: inout Document, context: MapContext) throws -> [String: String] {
        var context = context
        let source: JSONValue
        if compiled.sourceCodec.isJSON {
            source = try document.json()
            try compiled.sourceCodec.check(source, documentIndex: document.index)
        } else {
            source = try compiled.sourceCodec.read(document.data, documentIndex: document.index)
        }
        if compiled.readsDocumentProperties { context.documentProperties = document.properties }
        let result = try compiled.apply(to: source, context: context, documentIndex: document.index)
        var mapped = document
        if compiled.targetCodec.isJSON {
            mapped.replace(with: result.value)
        } else {
            mapped.replace(with: try compiled.targetCodec.write(result.value))
        }
        for (name, value) in result.documentProperties { mapped.properties[name] = value }
        document = mapped
        return result.processProperties
    }

    func compiledMap(_ mapID: String) throws -> CompiledMap {
        try shared.map(mapID) {
            guard let definition = runner.workspace.maps[mapID] else {
                throw DocumentError("map '\(mapID)' does not exist", code: .process)
            }
            return try CompiledMap(map: definition, profiles: runner.workspace.profiles)
        }
    }

    private func runSetProperties(shape: ShapeDefinition, assignments: [PropertyAssignment],
                                  documents: [Document]) -> [Document] {
        var outputs: [Document] = []
        outputs.reserveCapacity(documents.count)
        documentLoop: for var document in documents {
            // Process properties set for this document are visible to its later assignments.
            var context = operationContext(shapeID: shape.id)
            for assignment in assignments {
                do {
                    let value = try context.evaluate(assignment.value, for: &document, requiringPaths: true)
                    switch assignment.scope {
                    case .document: document.properties[assignment.name] = value
                    case .process:
                        processProperties[assignment.name] = value
                        context.processProperties[assignment.name] = value
                    }
                } catch {
                    fail(document, at: shape, message: "property '\(assignment.name)': \(error)",
                         code: DocumentError.code(of: error, else: .setting))
                    continue documentLoop
                }
            }
            outputs.append(document)
        }
        return outputs
    }

    // MARK: - Bookkeeping

    func operationContext(shapeID: String) -> OperationContext {
        var context = OperationContext(execution: info, shapeID: shapeID, processProperties: processProperties,
                                       environment: runner.environment, now: runner.now)
        context.chunkSize = startChunkSize
        return context
    }

    /// The start shape's chunk size: the default, raised to the largest `<batchCount>` among the
    /// process's connector operations (so a 10,000-row batch is one request), at most the runner's.
    static func startChunkSize(of process: ProcessDefinition, runner: ProcessRunner) -> Int {
        var size = OperationContext.defaultChunkSize
        for shape in process.shapes {
            guard case .connector(_, let operationID, _) = shape.kind,
                  let text = runner.workspace.operations[operationID]?.settings.child("batchCount")?.text,
                  let count = Int(text.trimming(.whitespaces)) else { continue }
            size = max(size, count)
        }
        // An ordered flowControl shape's maps spread a chunk over threads: its batches fit in one.
        if let flow = orderedFlow(of: process) { size = max(size, flow.batchSize) }
        return min(size, runner.chunkSize)
    }

    func operation(forShape shapeID: String, connectionID: String, operationID: String) async throws
        -> any ConnectorOperation {
        guard let connection = runner.workspace.connections[connectionID] else {
            throw DocumentError("connection '\(connectionID)' does not exist", code: .process)
        }
        guard let definition = runner.workspace.operations[operationID] else {
            throw DocumentError("operation '\(operationID)' does not exist", code: .process)
        }
        guard let connector = runner.connectors.connector(for: connection.type) else {
            throw DocumentError("no connector for connection type '\(connection.type)' "
                                + "(known: \(runner.connectors.types.joined(separator: ", ")))", code: .process)
        }
        let shared = shared
        let environment = ConnectorEnvironment(workspaceRoot: runner.workspace.root, variables: runner.environment,
                                               countRetry: { shared.retries.wrappingAdd(1, ordering: .relaxed) },
                                               noteRetry: retryNotes(forShape: shapeID),
                                               checkpoints: runner.checkpoints)
        return try await shared.operations.operation(forShape: shapeID) {
            try await connector.makeOperation(connection: connection, operation: definition, environment: environment)
        }
    }

    func tally(_ shapeID: String, _ update: (inout ShapeCount) -> Void) {
        guard let position = shapeIndex[shapeID] else { return }
        update(&execution.shapeCounts[position])
    }

    /// Records a document that stops here with an error.
    /// Inside a tryCatch scope the document is collected for the scope instead of counting as an
    /// execution error (only the shape's error count records it; the onError path traces it).
    func fail(_ document: Document, at shape: ShapeDefinition, message: String, code: DocumentError.Code,
              connectionID: String? = nil, operationID: String? = nil, tracked: [TrackedFieldValue] = []) {
        let message = ErrorText.bounded(message)
        tally(shape.id) { $0.documentsError += 1 }
        if let scope = catchScopes.last {
            scope.failures.append(CaughtFailure(document: document, message: message, code: code, shapeID: shape.id))
            return
        }
        execution.documentsError += 1
        if execution.error == nil {
            execution.error = "shape '\(shape.id)', document \(document.index): \(message)"
        }
        trace(DocumentTrace(shapeID: shape.id, connectionID: connectionID, operationID: operationID,
                            direction: .input, index: document.index, status: .error, error: message,
                            errorCode: code, trackedValues: tracked))
        if connectionID != nil, process.captureDocuments != .none {
            capture(document, key: TraceKey(shapeID: shape.id, connectionID: connectionID, operationID: operationID),
                    direction: .input, status: .error, error: message, code: code)
        }
    }

    func fail(execution message: String) {
        if execution.error == nil { execution.error = ErrorText.bounded(message) }
        execution.status = .error
    }

    func noteApplicationErrors(_ count: Int) { applicationErrors += count }

    func trace(_ record: DocumentTrace) {
        recording.traces.append(record)
    }

    func flushTracesIfNeeded() async {
        if !isLane, recording.traces.count >= 5_000 || recording.captures.count >= 500 { await checkpoint() }
    }

    func flushTraces() async {
        guard !isLane, !recording.traces.isEmpty || !recording.captures.isEmpty else { return }
        let batch = recording.traces
        recording.traces.removeAll(keepingCapacity: true)
        do {
            if !batch.isEmpty { try await runner.recorder.recorded(runs: batch, in: info) }
        } catch {
            // Documents that cannot be tracked are not sent on: no further chunk is read.
            recording.failure = recording.failure ?? "could not record document tracking: \(error)"
            stop.requested = true
        }
        await flushCaptures()
    }

    /// Stores the tracking records collected so far and then the counts, so that an execution whose
    /// command dies keeps the counts of what it did, consistent with its tracked documents. Between
    /// two chunks of the start shape every document read before has finished its path (only a batch
    /// still in flight at an overlapping connector shape is counted in but not yet tracked).
    func checkpoint() async {
        recording.lastCheckpoint = ContinuousClock.now
        await flushTraces()
        guard recording.failure == nil else { return }
        execution.retries = shared.retries.load(ordering: .relaxed)
        do {
            try await runner.recorder.progressed(execution)
        } catch {
            recording.failure = "could not record the execution's counts: \(error)"
            stop.requested = true
        }
    }

    /// Where the operation of `shapeID` tells of its retries: the run's progress observer, if any.
    private func retryNotes(forShape shapeID: String) -> @Sendable (RetryNotice) -> Void {
        guard let observer = runner.progress else { return { _ in } }
        let executionID = info.id
        return { notice in observer.retrying(notice, shapeID: shapeID, executionID: executionID) }
    }

    private func reportProgress(at shapeID: String) {
        guard let observer = runner.progress else { return }
        observer.progressed(ExecutionProgress(
            executionID: info.id, startTime: info.startTime,
            documentsIn: (parentCounts?.documentsIn ?? 0) + execution.documentsIn,
            documentsOut: (parentCounts?.documentsOut ?? 0) + execution.documentsOut,
            documentsError: (parentCounts?.documentsError ?? 0) + execution.documentsError, shapeID: shapeID))
    }

    private func finish() {
        execution.endTime = runner.now()
        execution.retries = shared.retries.load(ordering: .relaxed)
        execution.processProperties = processProperties
        if execution.status == .error || execution.documentsError > 0 {
            execution.status = .error
        } else if applicationErrors > 0 || warnings > 0 || execution.documentsDeadLettered > 0 {
            execution.status = .completeWarn
            if applicationErrors > 0 {
                execution.userLog.append("\(applicationErrors) application error(s) returned as documents")
            }
            if execution.documentsDeadLettered > 0 {
                execution.userLog.append("\(execution.documentsDeadLettered) document(s) dead-lettered: "
                                         + "kept in a dead-letter queue instead of delivered")
            }
        } else {
            execution.status = .complete
        }
    }
}

/// An execution's tracking records not yet stored, and how storing its records went.
struct RecordingState {
    /// Tracking records collected since they were last stored (a lane's, until its parent merges them).
    var traces: [DocumentTrace] = []
    /// Document contents kept at connector shapes since they were last stored (`captureDocuments`).
    var captures: [CapturedDocument] = []
    /// Why the execution's records could not all be written, once that happened: no further chunk
    /// is read, and the execution ends in ERROR naming it.
    var failure: String?
    /// When the counts were last stored for an execution still running (see ``ExecutionRun/checkpoint()``).
    var lastCheckpoint = ContinuousClock.now
}

/// Documents in, out and in error: what a lane adds its own counts to in progress reports.
struct ProgressCounts: Sendable {
    var documentsIn = 0
    var documentsOut = 0
    var documentsError = 0
}

/// Set by `<stop continue="false">` (or when the execution's records cannot be written): no
/// further start chunks or branch paths run.
struct StopState: Sendable {
    var requested = false
    /// Where in the user log the `stopped by shape` line is, once a stop shape wrote it.
    var logLine: Int?
}
