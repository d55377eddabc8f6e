import DocumentMapping
import Synchronization

/// What an execution shares with the lanes that run its flowControl batches concurrently:
/// connector operations, compiled maps and patterns, and the document index counter.
final class RunSharedState: Sendable {
    /// Connector operations by shape id, made once per execution.
    let operations = OperationPool()
    private let nextIndex = Atomic<Int>(0)
    /// Requests the execution's connector operations sent again after transient failures.
    let retries = Atomic<Int>(0)
    private let maps = Mutex<[String: CompiledMap]>([:])
    private let patterns = Mutex<[String: PatternCache]>([:])

    init() {}

    /// A new document index, unique within the execution.
    func newIndex() -> Int {
        nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// `count` consecutive new document indexes; returns the first.
    func newIndexes(_ count: Int) -> Int {
        nextIndex.wrappingAdd(count, ordering: .relaxed).oldValue
    }

    /// The compiled map with this id, compiling it with `compile` the first time.
    func map(_ mapID: String, compile: () throws -> CompiledMap) throws -> CompiledMap {
        if let map = maps.withLock({ $0[mapID] }) { return map }
        let compiled = try compile()
        maps.withLock { $0[mapID] = compiled }
        return compiled
    }

    /// The compiled patterns of one decision shape.
    func patterns(forShape shapeID: String) -> PatternCache {
        patterns.withLock { caches in
            if let cache = caches[shapeID] { return cache }
            let cache = PatternCache()
            caches[shapeID] = cache
            return cache
        }
    }
}

/// Connector operations of one execution by shape id. Concurrent requests for the same shape
/// wait for one `makeOperation`; a failed one is forgotten, so a later batch tries again.
final class OperationPool: Sendable {
    private let tasks = Mutex<[String: Task<any ConnectorOperation, any Error>]>([:])

    /// The operation of a shape, made by `make` when the shape has none yet.
    func operation(forShape shapeID: String,
                   make: @escaping @Sendable () async throws -> any ConnectorOperation) async throws
        -> any ConnectorOperation {
        let task = tasks.withLock { tasks in
            if let task = tasks[shapeID] { return task }
            let task = Task { try await make() }
            tasks[shapeID] = task
            return task
        }
        do {
            return try await task.value
        } catch {
            tasks.withLock { tasks in
                if tasks[shapeID] == task { tasks[shapeID] = nil }
            }
            throw error
        }
    }

    /// The operations made so far.
    func created() async -> [any ConnectorOperation] {
        let all = tasks.withLock { Array($0.values) }
        var operations: [any ConnectorOperation] = []
        for task in all {
            if let operation = try? await task.value { operations.append(operation) }
        }
        return operations
    }
}
