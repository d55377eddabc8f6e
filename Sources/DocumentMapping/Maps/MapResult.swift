import Synchronization

/// The outcome of applying a map to one document: the mapped tree and the properties the map set.
///
/// The engine replaces the document with `value` (written with the target profile's
/// ``ProfileCodec``), merges `documentProperties` into the document's dynamic properties
/// and `processProperties` into the execution's process properties, in that order.
public struct MapResult: Sendable {
    /// The mapped document.
    public var value: JSONValue
    /// Dynamic document properties written by `set-document-property`, last write wins.
    public var documentProperties: [String: String]
    /// Process properties written by `set-process-property`, last write wins.
    public var processProperties: [String: String]

    /// Creates a result.
    public init(value: JSONValue, documentProperties: [String: String] = [:], processProperties: [String: String] = [:]) {
        self.value = value
        self.documentProperties = documentProperties
        self.processProperties = processProperties
    }
}

/// What functions write while one document is mapped.
struct MapState {
    var documentProperties: [String: String] = [:]
    var processProperties: [String: String] = [:]
    /// The document's index, for messages.
    var documentIndex: Int?
}

/// The counters of a map's `sequence` functions, shared by every document the compiled map handles.
final class SequenceCounters: Sendable {
    /// How many values each sequence has handed out; guarded by the mutex.
    private let counts: Mutex<[Int]>

    init(count: Int) {
        counts = Mutex(Array(repeating: 0, count: count))
    }

    /// The next position (0, 1, 2, …) of sequence `slot`.
    func next(_ slot: Int) -> Int {
        counts.withLock { values in
            let current = values[slot]
            values[slot] += 1
            return current
        }
    }

    /// Starts every sequence again.
    func reset() {
        counts.withLock { values in
            for index in values.indices { values[index] = 0 }
        }
    }
}
