import DocumentMapping
import ProcessModel

extension ShapeDefinition {
    /// A flowControl shape with more than one thread.
    var isThreadedFlowControl: Bool {
        if case .flowControl(let definition, _) = kind { return definition.threads > 1 }
        return false
    }
}

extension ExecutionRun {
    /// The flowControl shape of a straight path that spreads its maps over threads and keeps the
    /// order: a start connector, one flowControl shape with `threads` > 1, at least one map shape
    /// (maps may also come before the flowControl shape), then the connector shape and a stop
    /// shape that lets the execution go on. There each chunk's maps run on up to `threads` threads
    /// and the connector shape is called with the batches of `batchSize` in batch order, so a file
    /// written keeps the input's order. Any other flowControl shape with threads runs lanes
    /// (`ExecutionRun+Lanes.swift`), whose connector calls overlap in any order.
    static func orderedFlow(of process: ProcessDefinition) -> (id: String, threads: Int, batchSize: Int)? {
        guard let start = process.startShape, case .start(.connector, let first) = start.kind else { return nil }
        var id = first
        var visited: Set<String> = []
        var flow: (id: String, threads: Int, batchSize: Int)?
        var mapsBelowFlow = 0
        while visited.insert(id).inserted, let shape = process.shapes.first(where: { $0.id == id }) {
            switch shape.kind {
            case .map(_, let next):
                if flow != nil { mapsBelowFlow += 1 }
                id = next
            case .flowControl(let definition, let next):
                guard flow == nil, definition.threads > 1 else { return nil }
                flow = (shape.id, definition.threads, max(1, definition.batchSize))
                id = next
            case .connector(_, _, let next):
                guard let after = process.shapes.first(where: { $0.id == next }), case .stop(true) = after.kind,
                      mapsBelowFlow > 0 else { return nil }
                return flow
            default:
                return nil
            }
        }
        return nil
    }
}

/// The fast path of a map over a chunk: every document it handles is mapped in place. With more
/// than one thread the chunk is cut into contiguous parts mapped at once; each part is moved out
/// of the chunk and back, so every document's buffer stays uniquely held and is rewritten in place.
enum FastMapPhase {
    /// Below this many documents a chunk is mapped on the calling thread.
    static let smallestSplit = 256

    /// Whether each document was mapped (false: it takes the tree path, or there is no fast path).
    static func run(_ fastPath: FastJSONMap?, on documents: inout [Document], threads: Int) async -> [Bool] {
        guard let fastPath else { return [Bool](repeating: false, count: documents.count) }
        let parts = min(max(1, threads), documents.count / smallestSplit)
        guard parts > 1 else { return map(fastPath, &documents) }
        let size = (documents.count + parts - 1) / parts
        var boxes: [PartBox] = []
        for start in stride(from: 0, to: documents.count, by: size) {
            boxes.append(PartBox(Array(documents[start..<min(start + size, documents.count)])))
        }
        documents.removeAll(keepingCapacity: true)
        await withTaskGroup(of: Void.self) { group in
            for box in boxes.dropFirst() {
                group.addTask { box.mapInPlace(fastPath) }
            }
            boxes[0].mapInPlace(fastPath)
        }
        var mapped: [Bool] = []
        mapped.reserveCapacity(size * boxes.count)
        for box in boxes {
            documents.append(contentsOf: box.documents)
            mapped.append(contentsOf: box.mapped)
            box.documents = []
        }
        return mapped
    }

    fileprivate static func map(_ fastPath: FastJSONMap, _ documents: inout [Document]) -> [Bool] {
        var scratch = FastJSONMap.Scratch()
        var mapped = [Bool](repeating: false, count: documents.count)
        for position in documents.indices {
            mapped[position] = documents[position].map(with: fastPath, scratch: &scratch)
        }
        return mapped
    }

    /// One part of a chunk, touched by one task at a time: the task that maps it, then (after the
    /// task group has ended) the caller.
    private final class PartBox: @unchecked Sendable {
        var documents: [Document]
        var mapped: [Bool] = []

        init(_ documents: [Document]) { self.documents = documents }

        func mapInPlace(_ fastPath: FastJSONMap) {
            var owned: [Document] = []
            swap(&owned, &documents)
            mapped = FastMapPhase.map(fastPath, &owned)
            swap(&owned, &documents)
        }
    }
}

/// A chunk of an ordered flow whose map runs ahead: its fast path maps the chunk on another
/// thread while the start shape reads the next chunk and the connector shape takes the one before.
struct ChunkMappedAhead {
    let shape: ShapeDefinition
    let mapID: String
    let next: String
    let chunk: MapAheadChunk
    let task: Task<Void, Never>
}

/// The documents of a chunk mapped ahead, touched by one task at a time: the task that maps
/// them, then (once it has ended) the run.
final class MapAheadChunk: @unchecked Sendable {
    var documents: [Document]
    var mapped: [Bool] = []

    init(_ documents: [Document]) { self.documents = documents }
}

/// Whether maps may run ahead in this read of the start shape, and the chunk in flight.
struct MapAheadState {
    var allowed = false
    var pending: ChunkMappedAhead?
}

extension ExecutionRun {
    /// The fast path of map shape `mapID` when its chunk may be mapped ahead: below an ordered
    /// flowControl shape, in a read that allows it, and with the connector shape next (so the
    /// chunk's documents meet nothing else before the connector is called with them in order).
    func mapAheadPath(mapID: String, next: String) -> FastJSONMap? {
        guard mapAhead.allowed, orderedFlow != nil, let position = shapeIndex[next],
              case .connector = process.shapes[position].kind,
              let compiled = try? compiledMap(mapID) else { return nil }
        return compiled.fastPath
    }

    /// Starts mapping `documents` (moved out) on another thread, then finishes the chunk started
    /// before it (the rest of its map, and the shapes after it), so at most one chunk is ahead.
    /// `documents` then holds what the shapes left of that earlier chunk, for the start shape to
    /// reuse their buffers (as it does without a map running ahead).
    func mapAheadOf(shape: ShapeDefinition, mapID: String, next: String, fastPath: FastJSONMap,
                    documents: inout [Document]) async throws {
        let chunk = MapAheadChunk([])
        swap(&chunk.documents, &documents)
        // The other threads of the flowControl shape map; this one reads and writes meanwhile
        // (`mapAheadPath` returned a path, so the documents are below the ordered flow).
        let threads = max(1, (orderedFlow?.threads ?? 1) - 1)
        let task = Task {
            var owned: [Document] = []
            swap(&owned, &chunk.documents)
            let mapped = await FastMapPhase.run(fastPath, on: &owned, threads: threads)
            swap(&owned, &chunk.documents)
            chunk.mapped = mapped
        }
        let previous = mapAhead.pending
        mapAhead.pending = ChunkMappedAhead(shape: shape, mapID: mapID, next: next, chunk: chunk, task: task)
        if let previous { documents = try await finish(previous) }
    }

    /// The input has ended (normally, by an error or a stop): the chunk still ahead is finished.
    func endMapAhead() async throws {
        guard let pending = mapAhead.pending else { return }
        mapAhead.pending = nil
        _ = try await finish(pending)
    }

    /// Maps what the fast path left of a chunk, sends the chunk on, and returns what the shapes
    /// left of it.
    private func finish(_ pending: ChunkMappedAhead) async throws -> [Document] {
        await pending.task.value
        // At the input's end the ordered flow has been left: the connector is still called per batch.
        let saved = orderedFlow
        orderedFlow = orderedFlowShape.map { ($0.threads, $0.batchSize) }
        defer { orderedFlow = saved }
        var documents: [Document] = []
        swap(&documents, &pending.chunk.documents)
        await runMap(shape: pending.shape, mapID: pending.mapID, documents: &documents, premapped: pending.chunk.mapped)
        tally(pending.shape.id) { $0.documentsOut += documents.count }
        try await push(taking: &documents, to: pending.next)
        return documents
    }
}
