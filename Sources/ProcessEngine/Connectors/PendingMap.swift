import DocumentMapping

/// A connector operation that can do the map shape before it as it reads each document: a map
/// that only renames a flat object's members (``FlatRenames``), right before the connector shape
/// whose batches overlap the reading (see `docs/development.md`, "A map the connector does").
///
/// The engine then sends the map's input documents on, with ``OperationContext/pendingMap``
/// set; the operation reads each document in place of the map's output where the renaming
/// certainly covers it, and maps every other document itself (``PendingMap/map(_:at:)``). A
/// document the map fails goes into ``OperationOutcome/mapFailures``, as the map's input, and
/// is recorded at the map shape. Every document the operation hands back with its content read
/// (``OperationOutcome/failures``) must be mapped first; its outputs may stay as they came.
public protocol MapFusingOperation: OverlappingConnectorOperation {
    /// Whether this operation takes batches of documents a map doing `renames` has not mapped yet:
    /// only when nothing but the rows it writes reads their content (no per-document destination,
    /// dead-letter queue, change data or resume by row count).
    func fuses(_ renames: FlatRenames) -> Bool
}

extension MapFusingOperation {
    public var asMapFusing: (any MapFusingOperation)? { self }
}

/// The map shape whose work the connector shape does (see ``MapFusingOperation``).
public struct PendingMap: Sendable {
    /// The map shape.
    public let shapeID: String
    /// What the map does to a document the renaming covers.
    public let renames: FlatRenames
    let compiled: CompiledMap
    let context: MapContext

    init(shapeID: String, renames: FlatRenames, compiled: CompiledMap, context: MapContext) {
        self.shapeID = shapeID
        self.renames = renames
        self.compiled = compiled
        self.context = context
    }

    /// Maps the documents at `positions` in place, as the map shape would have: the byte path,
    /// then the tree path. A document the map fails is left as it was, and its failure (the map
    /// shape's message and code) is returned by position.
    public func map(_ documents: inout [Document], at positions: [Int]) -> [Int: DocumentFailure] {
        var failures: [Int: DocumentFailure] = [:]
        var scratch = FastJSONMap.Scratch()
        for position in positions {
            if let fastPath = compiled.fastPath, documents[position].map(with: fastPath, scratch: &scratch) { continue }
            do {
                // A renaming map has no function: it sets no property.
                _ = try ExecutionRun.mapOnTree(compiled, &documents[position], context: context)
            } catch {
                failures[position] = DocumentFailure(document: documents[position], message: "\(error)",
                                                     code: DocumentError.code(of: error, else: .mapping))
            }
        }
        return failures
    }
}
