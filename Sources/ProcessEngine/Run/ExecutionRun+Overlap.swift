import ProcessModel

/// What the engine holds for the overlapping connector shape's batches while the start shape
/// reads; the decisions are the ``BatchPipeline``'s.
struct OverlapState {
    /// The connector shape whose batches overlap (see `ExecutionRun.overlapShape(of:)`); nil when
    /// batches run one after the other.
    var shapeID: String?
    var pipeline = BatchPipeline.overlapping
    /// The shape's operation, once its first batch is submitted.
    var operation: (any OverlappingConnectorOperation)?
    /// Batches submitted and not yet delivered, by number: the call, and the task once begun.
    var calls: [Int: ConnectorCall] = [:]
    var tasks: [Int: Begun] = [:]
    /// Outcomes awaited and not yet delivered.
    var outcomes: [Int: Finished] = [:]

    /// A batch begun: the engine kept its documents (the call's), or handed them over and kept
    /// their indexes.
    enum Begun {
        case kept(Task<OperationOutcome, any Error>)
        case handedOver(Task<HandedOverOutcome, Never>, indexes: [Int])
    }

    /// A batch's task finished: a kept batch's outcome may be an error (its documents, the
    /// call's, then fail); a batch handed over always has one.
    enum Finished {
        case kept(Result<OperationOutcome, any Error>)
        case handedOver(OperationOutcome, indexes: [Int])
    }
    /// The documents of the batch delivered last, handed back to the start operation for reuse
    /// in place of the batch still in flight.
    var settledDocuments: [Document] = []

    /// Takes the documents out of batch `batch`'s call: the one reference to them left is the
    /// returned array.
    mutating func takeDocuments(of batch: Int) -> [Document] {
        guard var call = calls.removeValue(forKey: batch) else { return [] }
        var documents: [Document] = []
        swap(&documents, &call.documents)
        calls[batch] = call
        return documents
    }

    /// True when `shapeID`'s last batch is still in flight (begun, not delivered).
    func isInFlight(at shapeID: String) -> Bool {
        shapeID == self.shapeID && pipeline.undelivered > 0
    }
}

extension ExecutionRun {
    /// The connector shape whose batches may overlap: in a process that is one straight path —
    /// a start connector, then only map shapes, then the connector shape, then a stop shape that
    /// lets the execution go on — nothing that runs between two batches of that connector can
    /// see the difference. Anything else (branches, decisions, tryCatch, property shapes, further
    /// connectors) runs every batch to the end of its path before the next one.
    static func overlapShape(of process: ProcessDefinition) -> String? {
        guard let start = process.startShape, case .start(.connector, let first) = start.kind else { return nil }
        var id = first
        var visited: Set<String> = []
        while visited.insert(id).inserted, let shape = process.shapes.first(where: { $0.id == id }) {
            switch shape.kind {
            case .map(_, let next):
                id = next
            case .flowControl(_, let next):
                // Its batches reach the connector shape one after another (see `orderedFlow(of:)`);
                // a flowControl with threads and no map below runs lanes, which do not overlap.
                guard orderedFlow(of: process) != nil || !shape.isThreadedFlowControl else { return nil }
                id = next
            case .connector(_, _, let next):
                guard let after = process.shapes.first(where: { $0.id == next }), case .stop(true) = after.kind else {
                    return nil
                }
                return shape.id
            default:
                return nil
            }
        }
        return nil
    }

    /// Reads the start connector's documents, overlapping the batches of `overlap.shapeID` (when
    /// set) with the reading; whatever ends the reading, the batches still in flight are finished
    /// and recorded.
    func readOverlapping(_ operation: any ConnectorOperation, shapeID: String?, context: OperationContext,
                         handOver: (inout [Document]) async throws -> Void) async throws {
        overlap = OverlapState(shapeID: shapeID)
        mapAhead = MapAheadState(allowed: callDepth == 0 && !isLane && orderedFlowShape != nil)
        defer {
            overlap = OverlapState()
            mapAhead = MapAheadState()
        }
        do {
            try await operation.readInPlace(context: context, handOver: handOver)
        } catch {
            // What is in flight is finished and recorded, the chunk mapped ahead first.
            try? await endMapAhead()
            try? await endOverlap()
            throw error
        }
        do {
            try await endMapAhead()
        } catch {
            try? await endOverlap()
            throw error
        }
        try await endOverlap()
    }

    /// Submits a batch of the overlapping connector shape: it begins now, and the batch begun
    /// before it is finished, recorded and sent on before this returns.
    func submitOverlapping(_ call: consuming ConnectorCall, to operation: any OverlappingConnectorOperation) async throws {
        overlap.operation = operation
        let submission = overlap.pipeline.submit()
        // Moved, so that the pipeline's call holds the only reference to the batch.
        overlap.calls[submission.batch] = consume call
        try await perform(submission.actions)
    }

    /// Begins batch `batch`: handed over when the engine needs only its documents' indexes and
    /// the operation takes it, the call then keeping no documents; otherwise on a copy of the
    /// call's documents, which the engine keeps to record them.
    private func begin(_ batch: Int, on operation: any OverlappingConnectorOperation) async -> OverlapState.Begun? {
        guard let handsOver = overlap.calls[batch]?.handsOver, let context = overlap.calls[batch]?.context else { return nil }
        guard handsOver else {
            return .kept(await operation.begin(overlap.calls[batch]?.documents ?? [], context: context))
        }
        // Taken out of the call, so the operation holds the only reference to the documents.
        var documents = overlap.takeDocuments(of: batch)
        let indexes = documents.map(\.index)
        if let task = await operation.beginHandedOver(&documents, context: context) {
            return .handedOver(task, indexes: indexes)
        }
        overlap.calls[batch]?.documents = documents
        return .kept(await operation.begin(documents, context: context))
    }

    /// The input has ended: the batches still in flight are finished and recorded.
    private func endOverlap() async throws {
        try await perform(overlap.pipeline.inputEnded())
    }

    /// Carries out the pipeline's actions, in order; an await's follow-up actions come first.
    private func perform(_ actions: [BatchPipeline.Action]) async throws {
        for action in actions {
            switch action {
            case .start(let batch):
                guard let operation = overlap.operation, let begun = await begin(batch, on: operation) else { continue }
                overlap.tasks[batch] = begun
            case .await(let batch):
                guard let begun = overlap.tasks.removeValue(forKey: batch) else { continue }
                switch begun {
                case .kept(let task):
                    let outcome: Result<OperationOutcome, any Error>
                    do {
                        outcome = .success(try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() })
                    } catch {
                        outcome = .failure(error)
                    }
                    overlap.outcomes[batch] = .kept(outcome)
                case .handedOver(let task, let indexes):
                    let box = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
                    overlap.outcomes[batch] = .handedOver(box.take(), indexes: indexes)
                }
                try await perform(overlap.pipeline.finished(batch))
            case .deliver(let batch):
                guard let call = overlap.calls.removeValue(forKey: batch),
                      let finished = overlap.outcomes.removeValue(forKey: batch) else { continue }
                var inputs: [Document]
                switch finished {
                case .kept(let outcome):
                    inputs = call.documents
                    try await finishConnector(call, inputs: &inputs, handedOver: nil) { _, _ in try outcome.get() }
                case .handedOver(let outcome, let indexes):
                    // The documents are the outcome's: the operation took them.
                    inputs = []
                    try await finishConnector(call, inputs: &inputs, handedOver: indexes) { _, _ in outcome }
                }
                overlap.settledDocuments = inputs
            }
        }
    }
}
