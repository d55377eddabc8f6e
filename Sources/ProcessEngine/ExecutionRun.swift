import DocumentMapping
import Foundation
import ProcessModel

/// The state of one execution while it runs. Used by a single task only.
final class ExecutionRun {
    let runner: ProcessRunner
    let process: ProcessDefinition
    let info: ExecutionInfo
    /// How many process calls deep this execution runs (0 for a top-level execution).
    let callDepth: Int
    var processProperties: [String: String]
    var execution: Execution
    private var shapeIndex: [String: Int] = [:]
    private var maps: [String: CompiledMap] = [:]
    private var operations: [String: any ConnectorOperation] = [:]
    private var pendingTraces: [DocumentTrace] = []
    private var applicationErrors = 0
    private var recorderFailure: String?
    private var nextIndex = 0
    /// Warnings that make the execution COMPLETE_WARN (notify shapes, process calls).
    var warnings = 0
    /// Open tryCatch scopes, innermost last: a failure inside one is collected, not recorded.
    var catchScopes: [CatchScope] = []
    /// Set by `<stop continue="false">`: no further start chunks or branch paths run.
    var stopRequested = false
    /// Documents handed to `returnDocuments` shapes, for the caller.
    var returned: [Document] = []
    /// Documents waiting at combine shapes until the start shape is done.
    var pendingCombines: [String: [Document]] = [:]
    /// Shape ids in graph order (a shape before the shapes it sends documents to).
    private(set) var graphOrder: [String] = []
    private var pushDepth = 0

    init(runner: ProcessRunner, process: ProcessDefinition, info: ExecutionInfo, processProperties: [String: String],
         callDepth: Int = 0) {
        self.runner = runner
        self.process = process
        self.info = info
        self.callDepth = callDepth
        self.processProperties = processProperties
        self.execution = Execution(info: info, shapeCounts: process.shapes.map { ShapeTally(shapeID: $0.id) })
        for (index, shape) in process.shapes.enumerated() { shapeIndex[shape.id] = index }
        graphOrder = Self.graphOrder(of: process)
    }

    /// A new document index from the execution's counter.
    func newIndex() -> Int {
        defer { nextIndex += 1 }
        return nextIndex
    }

    /// The shape with this id.
    func shape(_ id: String) -> ShapeDefinition? { shapeIndex[id].map { process.shapes[$0] } }

    func execute(inputs: [Document]) async -> Execution {
        do {
            try await runner.recorder.started(execution)
        } catch {
            recorderFailure = "could not record the execution: \(error)"
        }
        do {
            try await runStart(inputs: inputs)
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
        for operation in operations.values { await operation.close() }
        await flushTraces()
        finish()
        do {
            try await runner.recorder.finished(execution)
        } catch {
            recorderFailure = recorderFailure ?? "could not record the execution: \(error)"
        }
        if let recorderFailure {
            execution.status = .error
            execution.error = execution.error ?? recorderFailure
        }
        return execution
    }

    // MARK: - Start

    private func runStart(inputs: [Document]) async throws {
        guard let start = process.startShape, case .start(let source, let next) = start.kind else {
            throw DocumentError("process '\(process.id)' has no start shape")
        }
        switch source {
        case .noData:
            try await emitFromStart(start, [Document(data: [])], next: next)
        case .input:
            var chunk: [Document] = []
            for document in inputs {
                if stopRequested { break }
                chunk.append(document)
                if chunk.count >= runner.chunkSize {
                    try await emitFromStart(start, chunk, next: next)
                    chunk.removeAll(keepingCapacity: true)
                }
            }
            if !chunk.isEmpty { try await emitFromStart(start, chunk, next: next) }
        case .connector(let connectionID, let operationID):
            let operation = try await operation(forShape: start.id, connectionID: connectionID, operationID: operationID)
            let context = operationContext(shapeID: start.id)
            try await operation.read(context: context) { documents in
                try await self.emitFromStart(start, documents, next: next)
            }
        }
    }

    private func emitFromStart(_ start: ShapeDefinition, _ documents: [Document], next: String) async throws {
        if stopRequested { throw StopSignal() }
        var numbered = documents
        for position in numbered.indices {
            numbered[position].index = nextIndex
            nextIndex += 1
        }
        execution.documentsIn += numbered.count
        tally(start.id) { $0.documentsOut += numbered.count }
        try await push(numbered, to: next)
    }

    // MARK: - Shapes

    /// Sends documents down the graph from `shapeID`, depth first.
    func push(_ documents: [Document], to shapeID: String) async throws {
        guard !documents.isEmpty else { return }
        guard let position = shapeIndex[shapeID] else {
            throw DocumentError("shape '\(shapeID)' does not exist in process '\(process.id)'")
        }
        let shape = process.shapes[position]
        guard pushDepth < Self.maximumPathLength else {
            throw DocumentError("shape '\(shape.id)': documents passed more than \(Self.maximumPathLength) shapes in one path; "
                                + "a loop through a flowControl shape never ends")
        }
        pushDepth += 1
        defer { pushDepth -= 1 }
        tally(shape.id) { $0.documentsIn += documents.count }
        reportProgress(at: shape.id)
        switch shape.kind {
        case .start:
            throw DocumentError("shape '\(shape.id)': documents cannot enter a start shape")
        case .stop(let continues):
            execution.documentsOut += documents.count
            tally(shape.id) { $0.documentsOut += documents.count }
            if !continues, !stopRequested {
                stopRequested = true
                execution.userLog.append("stopped by shape '\(shape.id)' (continue=\"false\")")
            }
        case .returnDocuments:
            execution.documentsOut += documents.count
            tally(shape.id) { $0.documentsOut += documents.count }
            returned += documents
        case .map(let mapID, let next):
            let outputs = runMap(shape: shape, mapID: mapID, documents: documents)
            tally(shape.id) { $0.documentsOut += outputs.count }
            try await push(outputs, to: next)
        case .setProperties(let assignments, let next):
            let outputs = runSetProperties(shape: shape, assignments: assignments, documents: documents)
            tally(shape.id) { $0.documentsOut += outputs.count }
            try await push(outputs, to: next)
        case .connector(let connectionID, let operationID, let next):
            try await runConnector(shape: shape, connectionID: connectionID, operationID: operationID,
                                   documents: documents, next: next)
        default:
            try await pushFlow(documents, to: shape)
        }
    }

    /// The longest chain of shapes one push may pass (loops through flowControl shapes end here).
    static let maximumPathLength = 1_000

    private func runMap(shape: ShapeDefinition, mapID: String, documents: [Document]) -> [Document] {
        let compiled: CompiledMap
        do {
            compiled = try compiledMap(mapID)
        } catch {
            for document in documents { fail(document, at: shape, message: "\(error)") }
            return []
        }
        var outputs: [Document] = []
        outputs.reserveCapacity(documents.count)
        // One context per chunk; document properties are only copied in when the map reads them.
        let readsDocumentProperties = compiled.readsDocumentProperties
        var context = MapContext(now: runner.now(), documentProperties: [:], processProperties: processProperties)
        let fastPath = compiled.fastPath
        var scratch = FastJSONMap.Scratch()
        for var document in documents {
            // JSON to JSON without building a tree; documents it does not handle take the tree path below.
            if let fastPath, let bytes = fastPath.transform(document.data, scratch: &scratch) {
                document.replace(with: bytes)
                outputs.append(document)
                continue
            }
            do {
                let source: JSONValue
                if compiled.sourceCodec.isJSON {
                    source = try document.json()
                    try compiled.sourceCodec.check(source, documentIndex: document.index)
                } else {
                    source = try compiled.sourceCodec.read(document.data, documentIndex: document.index)
                }
                if readsDocumentProperties { context.documentProperties = document.properties }
                let result = try compiled.apply(to: source, context: context, documentIndex: document.index)
                if compiled.targetCodec.isJSON {
                    document.replace(with: result.value)
                } else {
                    document.replace(with: try compiled.targetCodec.write(result.value))
                }
                for (name, value) in result.documentProperties { document.properties[name] = value }
                if !result.processProperties.isEmpty {
                    for (name, value) in result.processProperties { processProperties[name] = value }
                    context.processProperties = processProperties
                }
                outputs.append(document)
            } catch {
                fail(document, at: shape, message: "\(error)")
            }
        }
        return outputs
    }

    private func compiledMap(_ mapID: String) throws -> CompiledMap {
        if let map = maps[mapID] { return map }
        guard let definition = runner.workspace.maps[mapID] else {
            throw DocumentError("map '\(mapID)' does not exist")
        }
        let compiled = try CompiledMap(map: definition, profiles: runner.workspace.profiles)
        maps[mapID] = compiled
        return compiled
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
                    let value = try context.evaluate(assignment.value, for: &document)
                    switch assignment.scope {
                    case .document: document.properties[assignment.name] = value
                    case .process:
                        processProperties[assignment.name] = value
                        context.processProperties[assignment.name] = value
                    }
                } catch {
                    fail(document, at: shape, message: "property '\(assignment.name)': \(error)")
                    continue documentLoop
                }
            }
            outputs.append(document)
        }
        return outputs
    }

    // MARK: - Bookkeeping

    func operationContext(shapeID: String) -> OperationContext {
        OperationContext(execution: info, shapeID: shapeID, processProperties: processProperties,
                         environment: runner.environment, now: runner.now)
    }

    func operation(forShape shapeID: String, connectionID: String, operationID: String) async throws
        -> any ConnectorOperation {
        if let operation = operations[shapeID] { return operation }
        guard let connection = runner.workspace.connections[connectionID] else {
            throw DocumentError("connection '\(connectionID)' does not exist")
        }
        guard let definition = runner.workspace.operations[operationID] else {
            throw DocumentError("operation '\(operationID)' does not exist")
        }
        guard let connector = runner.connectors.connector(for: connection.type) else {
            throw DocumentError("no connector for connection type '\(connection.type)' (known: \(runner.connectors.types.joined(separator: ", ")))")
        }
        let environment = ConnectorEnvironment(workspaceRoot: runner.workspace.root, variables: runner.environment)
        let operation = try await connector.makeOperation(connection: connection, operation: definition,
                                                          environment: environment)
        operations[shapeID] = operation
        return operation
    }

    func tally(_ shapeID: String, _ update: (inout ShapeTally) -> Void) {
        guard let position = shapeIndex[shapeID] else { return }
        update(&execution.shapeCounts[position])
    }

    /// Records a document that stops here with an error.
    /// Inside a tryCatch scope the document is collected for the scope instead of counting as an
    /// execution error (only the shape's error count records it; the onError path traces it).
    func fail(_ document: Document, at shape: ShapeDefinition, message: String,
              connectionID: String? = nil, operationID: String? = nil, tracked: [TrackedFieldValue] = []) {
        tally(shape.id) { $0.documentsError += 1 }
        if let scope = catchScopes.last {
            scope.failures.append(CaughtFailure(document: document, message: message, shapeID: shape.id))
            return
        }
        execution.documentsError += 1
        if execution.error == nil {
            execution.error = "shape '\(shape.id)', document \(document.index): \(message)"
        }
        trace(DocumentTrace(shapeID: shape.id, connectionID: connectionID, operationID: operationID,
                            direction: .input, index: document.index, status: .error, error: message,
                            trackedValues: tracked))
    }

    func fail(execution message: String) {
        if execution.error == nil { execution.error = message }
        execution.status = .error
    }

    func noteApplicationErrors(_ count: Int) { applicationErrors += count }

    func trace(_ record: DocumentTrace) {
        pendingTraces.append(record)
    }

    func flushTracesIfNeeded() async {
        if pendingTraces.count >= 5_000 { await flushTraces() }
    }

    func flushTraces() async {
        guard !pendingTraces.isEmpty else { return }
        let batch = pendingTraces
        pendingTraces.removeAll(keepingCapacity: true)
        do {
            try await runner.recorder.recorded(batch, in: info)
        } catch {
            recorderFailure = recorderFailure ?? "could not record document tracking: \(error)"
        }
    }

    private func reportProgress(at shapeID: String) {
        guard let observer = runner.progress else { return }
        observer.progressed(ExecutionProgress(
            executionID: info.id, startTime: info.startTime, documentsIn: execution.documentsIn,
            documentsOut: execution.documentsOut, documentsError: execution.documentsError, shapeID: shapeID))
    }

    private func finish() {
        execution.endTime = runner.now()
        execution.processProperties = processProperties
        if execution.status == .error || execution.documentsError > 0 {
            execution.status = .error
        } else if applicationErrors > 0 || warnings > 0 {
            execution.status = .completeWarn
            if applicationErrors > 0 {
                execution.userLog.append("\(applicationErrors) application error(s) returned as documents")
            }
        } else {
            execution.status = .complete
        }
    }
}
