import DocumentMapping
import ProcessModel

extension ExecutionRun {
    /// The map shape's work, when the connector shape after it does it as it writes (see
    /// ``MapFusingOperation``): the map only renames a flat object's members, and that connector
    /// shape is the one whose batches overlap the reading (nothing between the two, a stop shape
    /// after it), records nothing of its documents but their indexes (no tracked fields, documents
    /// captured on error at most) and its operation takes such batches. Nil otherwise: the map
    /// shape maps.
    func fusedMap(shape: ShapeDefinition, mapID: String, next: String) async -> PendingMap? {
        guard next == overlap.shapeID, orderedFlow == nil, callDepth == 0, !isLane, catchScopes.isEmpty,
              let connector = self.shape(next), case .connector(let connectionID, let operationID, _) = connector.kind,
              needsOnlyIndexes(operationID: operationID),
              let compiled = try? compiledMap(mapID), !compiled.readsDocumentProperties,
              let renames = compiled.fastPath?.flatRenames,
              let operation = try? await self.operation(forShape: next, connectionID: connectionID, operationID: operationID),
              let fusing = operation.asMapFusing, fusing.fuses(renames) else { return nil }
        return PendingMap(shapeID: shape.id, renames: renames, compiled: compiled,
                          context: MapContext(now: runner.now(), documentProperties: [:], processProperties: processProperties))
    }
}
