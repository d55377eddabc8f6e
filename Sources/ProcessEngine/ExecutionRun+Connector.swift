import ProcessModel

extension ExecutionRun {
    /// Runs a connector shape on a batch, records a tracking record for every document, and sends
    /// the output documents on to `next` as the operation hands them over.
    func runConnector(shape: ShapeDefinition, connectionID: String, operationID: String,
                      documents: [Document], next: String) async throws {
        let definition = runner.workspace.operations[operationID]
        let operation: any ConnectorOperation
        do {
            operation = try await self.operation(forShape: shape.id, connectionID: connectionID,
                                                 operationID: operationID)
        } catch {
            for document in documents {
                fail(document, at: shape, message: "\(error)", connectionID: connectionID, operationID: operationID)
            }
            return
        }
        let context = operationContext(shapeID: shape.id)
        let direction = definition?.trackingDirection ?? .input
        var applicationErrorIndexes = Set<Int>()
        var downstreamError: (any Error)?

        func forward(_ batch: [Document]) async throws {
            guard !batch.isEmpty else { return }
            var outputs = batch
            for document in outputs where document.isApplicationError {
                applicationErrorIndexes.insert(document.index)
            }
            if direction == .output {
                for position in outputs.indices {
                    let tracked = trackedValues(definition, direction: .output, for: &outputs[position],
                                                context: context)
                    trace(DocumentTrace(shapeID: shape.id, connectionID: connectionID, operationID: operationID,
                                        direction: .output, index: outputs[position].index,
                                        status: outputs[position].isApplicationError ? .applicationError : .success,
                                        trackedValues: tracked))
                }
            }
            tally(shape.id) { $0.documentsOut += outputs.count }
            await flushTracesIfNeeded()
            try await push(outputs, to: next)
        }

        let outcome: OperationOutcome
        do {
            outcome = try await operation.execute(documents, context: context) { batch in
                do {
                    try await forward(batch)
                } catch {
                    downstreamError = error
                    throw error
                }
            }
        } catch {
            if let downstreamError { throw downstreamError }
            for document in documents {
                var document = document
                let tracked = trackedValues(definition, direction: .input, for: &document, context: context)
                fail(document, at: shape, message: "\(error)", connectionID: connectionID, operationID: operationID,
                     tracked: tracked)
            }
            await flushTracesIfNeeded()
            return
        }
        noteApplicationErrors(outcome.applicationErrors)
        let failedIndexes = Set(outcome.failures.map(\.document.index))
        for failure in outcome.failures {
            var document = failure.document
            let tracked = trackedValues(definition, direction: .input, for: &document, context: context)
            fail(document, at: shape, message: failure.message, connectionID: connectionID,
                 operationID: operationID, tracked: tracked)
        }
        for document in outcome.outputs where document.isApplicationError {
            applicationErrorIndexes.insert(document.index)
        }
        if direction == .input {
            for var document in documents where !failedIndexes.contains(document.index) {
                let tracked = trackedValues(definition, direction: .input, for: &document, context: context)
                trace(DocumentTrace(shapeID: shape.id, connectionID: connectionID, operationID: operationID,
                                    direction: .input, index: document.index,
                                    status: applicationErrorIndexes.contains(document.index) ? .applicationError : .success,
                                    trackedValues: tracked))
            }
        }
        try await forward(outcome.outputs)
    }

    /// The operation's tracked fields for one document. A value that cannot be read is left out:
    /// tracking never fails a document that the operation handled.
    private func trackedValues(_ definition: OperationDefinition?, direction: TrackingDirection,
                               for document: inout Document, context: OperationContext) -> [TrackedFieldValue] {
        guard let definition, definition.trackingDirection == direction, !definition.tracking.isEmpty else {
            return []
        }
        var values: [TrackedFieldValue] = []
        for binding in definition.tracking {
            if let value = try? context.evaluate(binding.value, for: &document), !value.isEmpty {
                values.append(TrackedFieldValue(name: binding.name, value: value))
            }
        }
        return values
    }
}

extension Document {
    /// The document property connectors set on an error response returned as a document.
    public static let applicationErrorProperty = "connector.applicationError"

    /// True for an error response that an operation returned as a document.
    public var isApplicationError: Bool { properties[Self.applicationErrorProperty] != nil }
}
