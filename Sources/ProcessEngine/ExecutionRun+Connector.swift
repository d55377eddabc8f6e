import ProcessModel

extension ExecutionRun {
    /// Runs a connector shape on a batch and records a tracking record for every document.
    func runConnector(shape: ShapeDefinition, connectionID: String, operationID: String,
                      documents: [Document]) async -> [Document] {
        let definition = runner.workspace.operations[operationID]
        let operation: any ConnectorOperation
        do {
            operation = try await self.operation(forShape: shape.id, connectionID: connectionID,
                                                 operationID: operationID)
        } catch {
            for document in documents {
                fail(document, at: shape, message: "\(error)", connectionID: connectionID, operationID: operationID)
            }
            return []
        }
        let context = operationContext(shapeID: shape.id)
        let outcome: OperationOutcome
        do {
            outcome = try await operation.execute(documents, context: context)
        } catch {
            for document in documents {
                var document = document
                let tracked = trackedValues(definition, direction: .input, for: &document, context: context)
                fail(document, at: shape, message: "\(error)", connectionID: connectionID, operationID: operationID,
                     tracked: tracked)
            }
            await flushTracesIfNeeded()
            return []
        }
        noteApplicationErrors(outcome.applicationErrors)
        let failedIndexes = Set(outcome.failures.map(\.document.index))
        for failure in outcome.failures {
            var document = failure.document
            let tracked = trackedValues(definition, direction: .input, for: &document, context: context)
            fail(document, at: shape, message: failure.message, connectionID: connectionID,
                 operationID: operationID, tracked: tracked)
        }
        let direction = definition?.trackingDirection ?? .input
        var outputs = outcome.outputs
        switch direction {
        case .input:
            let applicationErrorIndexes = Set(outputs.filter(\.isApplicationError).map(\.index))
            for var document in documents where !failedIndexes.contains(document.index) {
                let tracked = trackedValues(definition, direction: .input, for: &document, context: context)
                trace(DocumentTrace(shapeID: shape.id, connectionID: connectionID, operationID: operationID,
                                    direction: .input, index: document.index,
                                    status: applicationErrorIndexes.contains(document.index) ? .applicationError : .success,
                                    trackedValues: tracked))
            }
        case .output:
            for position in outputs.indices {
                let tracked = trackedValues(definition, direction: .output, for: &outputs[position], context: context)
                trace(DocumentTrace(shapeID: shape.id, connectionID: connectionID, operationID: operationID,
                                    direction: .output, index: outputs[position].index,
                                    status: outputs[position].isApplicationError ? .applicationError : .success,
                                    trackedValues: tracked))
            }
        }
        await flushTracesIfNeeded()
        return outputs
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
