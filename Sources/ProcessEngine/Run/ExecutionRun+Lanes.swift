import ProcessModel

/// What a lane starts from: the parent run's shared parts and its state where the batch leaves.
struct LaneSeed: Sendable {
    var runner: ProcessRunner
    var process: ProcessDefinition
    var info: ExecutionInfo
    var callDepth: Int
    var shared: RunSharedState
    var processProperties: [String: String]
    /// The id of the parent's innermost open tryCatch scope: the lane's failures are caught for it.
    var catchScopeID: Int?
    var stopRequested: Bool
    var pushDepth: Int
    var parentCounts: ProgressCounts
}

/// What one lane did, merged into its parent in batch order.
struct LaneResult: Sendable {
    var shapeCounts: [ShapeCount]
    var documentsOut: Int
    var documentsError: Int
    var documentsDeadLettered: Int
    var error: String?
    var failedExecution: Bool
    var userLog: [String]
    var traces: [DocumentTrace]
    var captures: [CapturedDocument]
    var caught: [CaughtFailure]
    var combines: [String: [Document]]
    var returned: [Document]
    /// Process properties the lane set, with their final values.
    var propertyChanges: [String: String]
    /// Whether the lane stopped the execution, and the position of its `stopped by shape` line
    /// in `userLog`, if it wrote one.
    var stop: StopState
    var warnings: Int
    var applicationErrors: Int
    /// An error that ended the lane's path (a path too long, say), rethrown by the parent.
    var thrown: (any Error)?
}

extension ExecutionRun {
    /// Sends documents on in batches of `batchSize`. With `threads` 1 each batch goes to the end
    /// of its path before the next; with more, up to `threads` batches run at once, each in a
    /// lane, and the lanes' results are merged in batch order.
    func runFlowControl(shape: ShapeDefinition, _ definition: FlowControlDefinition, documents: [Document],
                        next: String) async throws {
        tally(shape.id) { $0.documentsOut += documents.count }
        let size = max(1, definition.batchSize)
        let batches = stride(from: documents.startIndex, to: documents.endIndex, by: size).map {
            Array(documents[$0..<min($0 + size, documents.endIndex)])
        }
        guard definition.threads > 1, batches.count > 1 else {
            for batch in batches { try await push(batch, to: next) }
            return
        }
        try await runLanes(batches, threads: definition.threads, next: next)
    }

    private func runLanes(_ batches: [[Document]], threads: Int, next: String) async throws {
        let seed = LaneSeed(
            runner: runner, process: process, info: info, callDepth: callDepth, shared: shared,
            processProperties: processProperties, catchScopeID: catchScopes.last?.id, stopRequested: stop.requested,
            pushDepth: pushDepth,
            parentCounts: ProgressCounts(documentsIn: (parentCounts?.documentsIn ?? 0) + execution.documentsIn,
                                         documentsOut: (parentCounts?.documentsOut ?? 0) + execution.documentsOut,
                                         documentsError: (parentCounts?.documentsError ?? 0) + execution.documentsError))
        var thrown: (any Error)?
        await withTaskGroup(of: (Int, LaneResult).self) { group in
            // Up to `threads` lanes at once; results merged in batch order (see `BatchPipeline`).
            var pipeline = BatchPipeline.lanes(threads: threads)
            var waiting: [Int: LaneResult] = [:]
            func perform(_ actions: [BatchPipeline.Action]) async {
                for action in actions {
                    switch action {
                    case .start(let position):
                        group.addTask { (position, await Self.runLane(seed, batches[position], next: next)) }
                    case .deliver(let position):
                        guard let ready = waiting.removeValue(forKey: position) else { continue }
                        merge(ready)
                        await flushTracesIfNeeded()
                    case .await:
                        continue
                    }
                }
            }
            for _ in batches { await perform(pipeline.submit().actions) }
            await perform(pipeline.inputEnded())
            while let (position, result) = await group.next() {
                waiting[position] = result
                if result.thrown != nil { thrown = thrown ?? result.thrown }
                // A lane whose path threw stops new lanes (as the batches after it would not run).
                await perform(pipeline.finished(position, failed: result.thrown != nil))
            }
        }
        if let thrown { throw thrown }
    }

    /// Runs one batch down `next` in a new lane and reports what it did.
    private static func runLane(_ seed: LaneSeed, _ batch: [Document], next: String) async -> LaneResult {
        let lane = ExecutionRun(runner: seed.runner, process: seed.process, info: seed.info,
                                processProperties: seed.processProperties, callDepth: seed.callDepth,
                                shared: seed.shared)
        lane.parentCounts = seed.parentCounts
        lane.stop.requested = seed.stopRequested
        lane.pushDepth = seed.pushDepth
        if let id = seed.catchScopeID { lane.catchScopes = [CatchScope(id: id)] }
        var thrown: (any Error)?
        do {
            try await lane.push(batch, to: next)
        } catch {
            thrown = error
        }
        var changes: [String: String] = [:]
        for (name, value) in lane.processProperties where seed.processProperties[name] != value {
            changes[name] = value
        }
        return LaneResult(
            shapeCounts: lane.execution.shapeCounts, documentsOut: lane.execution.documentsOut,
            documentsError: lane.execution.documentsError,
            documentsDeadLettered: lane.execution.documentsDeadLettered, error: lane.execution.error,
            failedExecution: lane.execution.status == .error, userLog: lane.execution.userLog,
            traces: lane.recording.traces, captures: lane.recording.captures, caught: lane.catchScopes.first?.failures ?? [],
            combines: lane.pendingCombines, returned: lane.returned, propertyChanges: changes,
            stop: lane.stop, warnings: lane.warnings, applicationErrors: lane.applicationErrors,
            thrown: thrown)
    }

    /// Adds a lane's counts, records and buffers to this run's. Process properties set by several
    /// batches keep the value of the last batch (in batch order) that set them.
    private func merge(_ lane: LaneResult) {
        for (position, counts) in lane.shapeCounts.enumerated() where position < execution.shapeCounts.count {
            execution.shapeCounts[position].documentsIn += counts.documentsIn
            execution.shapeCounts[position].documentsOut += counts.documentsOut
            execution.shapeCounts[position].documentsError += counts.documentsError
        }
        execution.documentsOut += lane.documentsOut
        execution.documentsError += lane.documentsError
        execution.documentsDeadLettered += lane.documentsDeadLettered
        if execution.error == nil { execution.error = lane.error }
        if lane.failedExecution { execution.status = .error }
        var log = lane.userLog
        if let line = lane.stop.logLine, line < log.count {
            // Only the first batch (in batch order) that stopped the execution says so.
            if stop.requested { log.remove(at: line) } else { stop.logLine = execution.userLog.count + line }
        }
        execution.userLog += log
        recording.traces += lane.traces
        recording.captures += lane.captures
        if let scope = catchScopes.last { scope.failures += lane.caught }
        for (shapeID, documents) in lane.combines { pendingCombines[shapeID, default: []] += documents }
        returned += lane.returned
        for (name, value) in lane.propertyChanges { processProperties[name] = value }
        stop.requested = stop.requested || lane.stop.requested
        warnings += lane.warnings
        applicationErrors += lane.applicationErrors
    }
}
