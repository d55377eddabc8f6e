import ProcessModel

extension ExecutionRun {
    /// Runs a connector shape on a batch, records a tracking record for every document, and sends
    /// the output documents on to `next` as the operation hands them over.
    ///
    /// Successful documents without tracked values extend a run trace instead of getting one
    /// trace each; an operation without tracked fields costs no evaluation per document.
    ///
    /// On return `documents` holds what the shapes are done with, for the start shape to reuse:
    /// the batch itself, or, when it was handed over to an ``InPlaceConnectorOperation``, the
    /// documents that operation passed on.
    func runConnector(shape: ShapeDefinition, connectionID: String, operationID: String,
                      documents: inout [Document], next: String) async throws {
        let operation: any ConnectorOperation
        do {
            operation = try await self.operation(forShape: shape.id, connectionID: connectionID,
                                                 operationID: operationID)
        } catch {
            for document in documents {
                fail(document, at: shape, message: "\(error)", code: DocumentError.code(of: error, else: .connector),
                     connectionID: connectionID, operationID: operationID)
            }
            return
        }
        var context = operationContext(shapeID: shape.id)
        if shape.id == overlap.shapeID, let overlapping = operation.asOverlapping {
            // Set only for this shape's operation, when it fuses the map (see `fusedMap`).
            context.pendingMap = pendingMap
            // This batch begins before the previous one is finished; that one is recorded and
            // sent on first, so records and outputs keep batch order. The batch moves into the
            // call, so that a batch handed over is the only reference to its documents.
            var call = ConnectorCall(shape: shape, connectionID: connectionID, operationID: operationID,
                                     documents: [], next: next, context: context)
            call.handsOver = needsOnlyIndexes(operationID: operationID)
            swap(&call.documents, &documents)
            try await submitOverlapping(consume call, to: overlapping)
            return
        }
        if let inPlace = operation.asInPlace, needsOnlyIndexes(operationID: operationID) {
            // Handed over: the engine keeps no reference to the batch, so the operation changes
            // the documents in place and passes them on without a copy.
            let call = ConnectorCall(shape: shape, connectionID: connectionID, operationID: operationID,
                                     documents: [], next: next, context: context)
            try await finishConnector(call, inputs: &documents, handedOver: documents.map(\.index)) { batch, _ in
                try await inPlace.executeInPlace(&batch, context: context)
            }
            return
        }
        let call = ConnectorCall(shape: shape, connectionID: connectionID, operationID: operationID,
                                 documents: [], next: next, context: context)
        try await finishConnector(call, inputs: &documents, handedOver: nil) { batch, emit in
            try await operation.execute(batch, context: context, emit: emit)
        }
    }

    /// Whether recording a batch at a connector shape needs nothing of its documents but their
    /// indexes once the operation ran: no tracked fields (evaluated on the inputs) and no
    /// capture of every input (`captureDocuments="all"`).
    func needsOnlyIndexes(operationID: String) -> Bool {
        guard process.captureDocuments != .all else { return false }
        return runner.workspace.operations[operationID]?.tracking.isEmpty ?? true
    }

    /// Runs `outcome` on `inputs` (the call's batch), records every document and sends the outputs
    /// on. `handedOver`, when set, holds the indexes of the batch's documents, in order: the
    /// operation took (or takes) the documents out of `inputs` (see ``InPlaceConnectorOperation``
    /// and ``OverlappingConnectorOperation/beginHandedOver(_:context:)``), and only these indexes
    /// are kept for the records; `inputs` then ends holding the outputs the next shapes were done with.
    func finishConnector(_ call: ConnectorCall, inputs: inout [Document], handedOver handedIndexes: [Int]?,
                         outcome run: (_ documents: inout [Document], _ emit: ([Document]) async throws -> Void) async throws
                             -> OperationOutcome)
        async throws {
        let (shape, connectionID, operationID) = (call.shape, call.connectionID, call.operationID)
        let (next, context) = (call.next, call.context)
        let definition = runner.workspace.operations[operationID]
        let direction = definition?.trackingDirection ?? .input
        let tracked = definition.flatMap { $0.tracking.isEmpty ? nil : $0 }
        let key = TraceKey(shapeID: shape.id, connectionID: connectionID, operationID: operationID)
        var applicationErrorIndexes = Set<Int>()
        /// Reasons of the documents the operation dead-lettered, by document index.
        var deadLetterReasons: [Int: String] = [:]
        var downstreamError: (any Error)?
        let handedOver = handedIndexes != nil
        /// The inputs' indexes, when the documents are handed over.
        var handedIndexes = handedIndexes ?? []

        var errorCheck = PropertyLookup(Document.applicationErrorProperty)

        /// `checked`: every document of `batch` was already looked at for the application error
        /// property (and any that has it is in `applicationErrorIndexes`).
        func forward(_ outputs: inout [Document], checked: Bool = false) async throws {
            guard !outputs.isEmpty else { return }
            let noneMarked = checked && applicationErrorIndexes.isEmpty
            for position in outputs.indices {
                let isApplicationError = noneMarked ? false : errorCheck.isSet(in: outputs, at: position)
                if isApplicationError { applicationErrorIndexes.insert(outputs[position].index) }
                guard direction == .output else { continue }
                let values = tracked.map {
                    trackedValues($0, direction: .output, for: &outputs[position], context: context)
                } ?? []
                if !deadLetterReasons.isEmpty, let reason = deadLetterReasons[outputs[position].index] {
                    traceDeadLetter(key, direction: .output, index: outputs[position].index, reason: reason,
                                    trackedValues: values)
                    continue
                }
                trace(key, direction: .output, index: outputs[position].index,
                      status: isApplicationError ? .applicationError : .success, trackedValues: values)
            }
            tally(shape.id) { $0.documentsOut += outputs.count }
            if process.captureDocuments == .all {
                captureOutputs(outputs, key: key, applicationErrors: applicationErrorIndexes)
            }
            await flushTracesIfNeeded()
            try await push(taking: &outputs, to: next)
        }

        var outcome: OperationOutcome
        do {
            outcome = try await run(&inputs) { batch in
                do {
                    var outputs = batch
                    try await forward(&outputs)
                } catch {
                    downstreamError = error
                    throw error
                }
            }
        } catch {
            if let downstreamError { throw downstreamError }
            // An operation that throws leaves the batch it was handed as it was.
            for var document in inputs {
                let values = tracked.map { trackedValues($0, direction: .input, for: &document, context: context) } ?? []
                fail(document, at: shape, message: "\(error)", code: DocumentError.code(of: error, else: .connector),
                     connectionID: connectionID, operationID: operationID, tracked: values)
            }
            await flushTracesIfNeeded()
            return
        }
        if !outcome.mapFailures.isEmpty {
            recordMapFailures(outcome.mapFailures, pending: context.pendingMap, connector: shape)
            let failedIndexes = Set(outcome.mapFailures.map(\.document.index))
            // They never reached this shape: no trace of theirs here.
            if handedOver {
                handedIndexes.removeAll { failedIndexes.contains($0) }
            } else {
                inputs.removeAll { failedIndexes.contains($0.index) }
            }
        }
        noteApplicationErrors(outcome.applicationErrors)
        if !outcome.logLines.isEmpty { execution.userLog += outcome.logLines }
        for letter in outcome.deadLettered where deadLetterReasons[letter.index] == nil {
            deadLetterReasons[letter.index] = letter.reason
        }
        execution.documentsDeadLettered += deadLetterReasons.count
        for failure in outcome.failures {
            var document = failure.document
            let values = tracked.map { trackedValues($0, direction: .input, for: &document, context: context) } ?? []
            fail(document, at: shape, message: failure.message, code: failure.code, connectionID: connectionID,
                 operationID: operationID, tracked: values)
        }
        for position in outcome.outputs.indices where errorCheck.isSet(in: outcome.outputs, at: position) {
            applicationErrorIndexes.insert(outcome.outputs[position].index)
        }
        let inputCount = handedOver ? handedIndexes.count : inputs.count
        if direction == .input, tracked == nil, outcome.failures.isEmpty, applicationErrorIndexes.isEmpty,
           deadLetterReasons.isEmpty {
            if handedOver {
                traceSuccesses(key, direction: .input, count: inputCount) { handedIndexes[$0] }
            } else {
                traceSuccesses(key, direction: .input, count: inputCount) { inputs[$0].index }
            }
        } else if direction == .input {
            let failedIndexes = outcome.failures.isEmpty ? [] : Set(outcome.failures.map(\.document.index))
            for position in 0..<inputCount {
                let index = handedOver ? handedIndexes[position] : inputs[position].index
                if !failedIndexes.isEmpty, failedIndexes.contains(index) { continue }
                let status: DocumentStatus = applicationErrorIndexes.isEmpty
                    || !applicationErrorIndexes.contains(index) ? .success : .applicationError
                var values: [TrackedFieldValue] = []
                if let tracked, !handedOver {
                    var document = inputs[position]
                    values = trackedValues(tracked, direction: .input, for: &document, context: context)
                }
                if !deadLetterReasons.isEmpty, let reason = deadLetterReasons[index] {
                    traceDeadLetter(key, direction: .input, index: index, reason: reason, trackedValues: values)
                    continue
                }
                trace(key, direction: .input, index: index, status: status, trackedValues: values)
            }
        }
        if process.captureDocuments == .all || (process.captureDocuments == .errors && !deadLetterReasons.isEmpty) {
            // Handed over, the dead-lettered inputs are among the outputs (`captureDocuments` is
            // not `all` then).
            captureInputs(handedOver ? outcome.outputs : inputs, key: key,
                          failed: Set(outcome.failures.map(\.document.index)),
                          applicationErrors: applicationErrorIndexes, deadLettered: deadLetterReasons)
        }
        try await forward(&outcome.outputs, checked: true)
        if handedOver { swap(&inputs, &outcome.outputs) }
    }

    /// Records the documents a connector shape's pending map failed at the map shape, as the map
    /// shape would have, and takes them off the counts of documents that left it and entered the
    /// connector shape.
    private func recordMapFailures(_ failures: [DocumentFailure], pending: PendingMap?, connector: ShapeDefinition) {
        // An operation reports map failures only for a pending map; were there none, they would
        // still be recorded, at the connector shape.
        guard let mapShape = pending.flatMap({ shape($0.shapeID) }) else {
            for failure in failures { fail(failure.document, at: connector, message: failure.message, code: failure.code) }
            return
        }
        for failure in failures { fail(failure.document, at: mapShape, message: failure.message, code: failure.code) }
        tally(mapShape.id) { $0.documentsOut -= failures.count }
        tally(connector.id) { $0.documentsIn -= failures.count }
    }

    /// Records successful documents without tracked values, the `count` whose indexes `index`
    /// gives in order: each run of consecutive indexes extends the last trace or becomes one trace,
    /// as ``trace(_:direction:index:status:trackedValues:)`` would.
    func traceSuccesses(_ key: TraceKey, direction: DocumentTrace.Direction, count: Int, index: (Int) -> Int) {
        var position = 0
        while position < count {
            let first = index(position)
            var end = position + 1
            while end < count, index(end) == first + (end - position) { end += 1 }
            trace(key, direction: direction, index: first, status: .success, trackedValues: [])
            if let last = recording.traces.indices.last, end - position > 1 { recording.traces[last].count += end - position - 1 }
            position = end
        }
    }

    /// Records one document at a connector shape: a successful document without tracked values
    /// extends the last trace when that is a run of the same shape and direction ending just
    /// before it; any other document gets a trace of its own.
    func trace(_ key: TraceKey, direction: DocumentTrace.Direction, index: Int, status: DocumentStatus,
               trackedValues: [TrackedFieldValue]) {
        if status == .success, trackedValues.isEmpty, let last = recording.traces.indices.last,
           recording.traces[last].index + recording.traces[last].count == index,
           recording.traces[last].status == .success, recording.traces[last].direction == direction,
           recording.traces[last].trackedValues.isEmpty, recording.traces[last].error == nil,
           recording.traces[last].shapeID == key.shapeID, recording.traces[last].operationID == key.operationID,
           recording.traces[last].connectionID == key.connectionID {
            recording.traces[last].count += 1
            return
        }
        trace(DocumentTrace(shapeID: key.shapeID, connectionID: key.connectionID, operationID: key.operationID,
                            direction: direction, index: index, status: status, trackedValues: trackedValues))
    }

    /// Records a document the operation kept in its dead-letter queue, with the reason.
    func traceDeadLetter(_ key: TraceKey, direction: DocumentTrace.Direction, index: Int, reason: String,
                         trackedValues: [TrackedFieldValue]) {
        trace(DocumentTrace(shapeID: key.shapeID, connectionID: key.connectionID, operationID: key.operationID,
                            direction: direction, index: index, status: .deadLettered, error: reason,
                            errorCode: .deadLettered, trackedValues: trackedValues))
    }

    /// The operation's tracked fields for one document. A value that cannot be read is left out:
    /// tracking never fails a document that the operation handled.
    private func trackedValues(_ definition: OperationDefinition, direction: TrackingDirection,
                               for document: inout Document, context: OperationContext) -> [TrackedFieldValue] {
        guard definition.trackingDirection == direction else { return [] }
        var values: [TrackedFieldValue] = []
        for binding in definition.tracking {
            if let value = try? context.evaluate(binding.value, for: &document), !value.isEmpty {
                values.append(TrackedFieldValue(name: binding.name, value: value))
            }
        }
        return values
    }
}

/// A batch at a connector shape, with what recording its outcome needs.
struct ConnectorCall {
    var shape: ShapeDefinition
    var connectionID: String
    var operationID: String
    var documents: [Document]
    var next: String
    var context: OperationContext
    /// The engine needs nothing of the batch's documents but their indexes once the operation
    /// ran (``ExecutionRun/needsOnlyIndexes(operationID:)``): an operation may take them.
    var handsOver = false
}

/// The connector shape, connection and operation a trace belongs to.
struct TraceKey {
    var shapeID: String
    var connectionID: String?
    var operationID: String?
}

extension Document {
    /// The document property connectors set on an error response returned as a document.
    public static let applicationErrorProperty = "connector.applicationError"

    /// True for an error response that an operation returned as a document.
    public var isApplicationError: Bool { property(Self.applicationErrorProperty) != nil }
}
