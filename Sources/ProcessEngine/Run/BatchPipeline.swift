/// The decisions of the engine's two batch pipelines, as a value type: the owner feeds it events
/// (a batch submitted, a batch finished, the input ended) and carries out the actions it returns
/// (start a batch, await a batch, deliver a batch). It does no I/O and holds no documents, so every
/// decision can be tested on its own (`BatchPipelineTests`).
///
/// ## Where it is used
///
/// - **Overlapping connector batches** (``overlapping``; `ExecutionRun+Overlap.swift`). In a
///   process that is one straight path (`ExecutionRun.overlapShape(of:)`), the start shape reads
///   chunk N+1 while the connector works on chunk N. Each chunk reaching the connector shape is
///   submitted: the pipeline answers `start(N+1)` — the engine calls
///   ``OverlappingConnectorOperation/begin(_:context:)``, which takes the batch in (in batch
///   order) and returns a task — and then `await(N)`: the engine waits for batch N's task, reports
///   it finished, and the pipeline answers `deliver(N)`: batch N is recorded (tracking records,
///   failures, dead letters, counts) and its outputs go on. Batch N is thus finished during batch
///   N+1's call, and the reader only goes on with one batch still in flight. When the input ends
///   — normally, by an error, or by a stop — `inputEnded()` awaits and delivers the batches still
///   in flight, so every document read is recorded.
/// - **flowControl lanes** (``lanes(threads:)``; `ExecutionRun+Lanes.swift`). All batches are
///   submitted at once; up to `threads` run at once, each in its own lane; they finish in any
///   order and are delivered (merged into the execution) in batch order. A lane whose path threw
///   stops the batches not yet started; those running still finish and are delivered.
///
/// ## Ordering across the overlap
///
/// Three mechanisms keep batch order where batches overlap; this type is the first:
/// 1. the engine delivers batches in the order they were submitted (this pipeline), so tracking
///    records, counts, outputs and checkpoints follow batch order;
/// 2. ``OverlappingConnectorOperation/begin(_:context:)`` is called in batch order, each call after
///    the one before returned, so what an operation does in `begin` (the Storage Write API
///    operation encodes rows and takes its place in each writer's send order) is in batch order;
/// 3. an operation that finishes batches in its tasks orders them itself where it matters (the
///    Storage Write API operation: sends in acceptance order per stream, responses read in send
///    order, each batch's finishing step — dead-letter queue, checkpoint — after the previous
///    batch's, with `TurnOrder`/`TurnGate`).
///
/// ## Invariants
///
/// - Every started batch is delivered exactly once, in batch order (0, 1, 2, …), whatever order
///   the batches finish in; a batch whose outcome is an error (or a cancellation) is delivered too,
///   so its documents are recorded as failures.
/// - At most `maxRunning` batches run (started, not finished) at once; batches start in order.
/// - With in-order awaiting (overlap), at most `keepsRunning` batches are started and not awaited
///   when `submit()` returns; after `inputEnded()`, none.
/// - After a failure in a pipeline that `stopsOnFailure`, no further batch starts; the running
///   ones are still delivered.
/// The pipeline runs once per batch, never per document.
struct BatchPipeline: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        /// Start batch n: begin the operation on it, or start its lane.
        case start(Int)
        /// Wait for batch n's outcome and report it with ``finished(_:failed:)`` before going on.
        case await(Int)
        /// Batch n is next in batch order and finished: record it and send its outputs on.
        case deliver(Int)
    }

    /// What ``submit()`` did: the batch's number and what the owner does now.
    struct Submission: Sendable, Equatable {
        var batch: Int
        var actions: [Action]
    }

    /// Batches started and not finished at once, at most.
    let maxRunning: Int
    /// Set when the owner awaits batches in order: the batches that may be started and not yet
    /// awaited when ``submit()`` returns; the older ones are awaited first.
    let keepsRunning: Int?
    /// A failed batch stops the batches not yet started.
    let stopsOnFailure: Bool

    /// Batches submitted (numbered 0, 1, … in submission order).
    private(set) var submitted = 0
    /// Batches started: 0..<started (batches start in order).
    private(set) var started = 0
    /// Batches delivered: 0..<delivered.
    private(set) var delivered = 0
    /// Batches for which an `await` was returned: 0..<awaited.
    private(set) var awaited = 0
    /// Finished batches waiting for an earlier one before they are delivered.
    private var waiting: Set<Int> = []
    /// A batch failed in a pipeline that stops on failure: nothing further starts.
    private(set) var stopped = false
    private(set) var inputHasEnded = false

    init(maxRunning: Int, keepsRunning: Int? = nil, stopsOnFailure: Bool = false) {
        self.maxRunning = max(1, maxRunning)
        self.keepsRunning = keepsRunning.map { max(0, $0) }
        self.stopsOnFailure = stopsOnFailure
    }

    /// The overlapping connector shape: a batch is begun while the one before is still running,
    /// which is then awaited and delivered before the reader goes on.
    static let overlapping = BatchPipeline(maxRunning: 2, keepsRunning: 1)

    /// flowControl with `threads` lanes: batches finish in any order and are delivered in order;
    /// a lane that threw stops the batches not started yet.
    static func lanes(threads: Int) -> BatchPipeline {
        BatchPipeline(maxRunning: threads, stopsOnFailure: true)
    }

    /// Batches started and not finished.
    var running: Int { started - delivered - waiting.count }

    /// Batches started and not delivered.
    var undelivered: Int { started - delivered }

    /// True once every batch that will ever start has been delivered.
    var isSettled: Bool { delivered == started && (stopped || started == submitted) }

    /// Batches submitted that never start (the pipeline stopped first).
    var neverStarted: Range<Int> { stopped ? started..<submitted : submitted..<submitted }

    // MARK: - Events

    /// A new batch: it starts now if there is room (else when a running batch finishes).
    mutating func submit() -> Submission {
        let batch = submitted
        submitted += 1
        var actions: [Action] = []
        startWhatFits(into: &actions)
        awaitTheOldest(into: &actions)
        return Submission(batch: batch, actions: actions)
    }

    /// Batch `batch`'s outcome is known (`failed`: its path threw, or its outcome is an error the
    /// pipeline stops on). A batch that is not running is ignored.
    mutating func finished(_ batch: Int, failed: Bool = false) -> [Action] {
        guard batch >= delivered, batch < started, !waiting.contains(batch) else { return [] }
        waiting.insert(batch)
        if failed, stopsOnFailure { stopped = true }
        var actions: [Action] = []
        startWhatFits(into: &actions)
        while waiting.remove(delivered) != nil {
            actions.append(.deliver(delivered))
            delivered += 1
        }
        awaitTheOldest(into: &actions)
        return actions
    }

    /// No batch is submitted any more (the input is read, or reading ended with an error or a
    /// stop): with in-order awaiting, every batch still running is awaited now.
    mutating func inputEnded() -> [Action] {
        inputHasEnded = true
        var actions: [Action] = []
        awaitTheOldest(into: &actions)
        return actions
    }

    // MARK: - Decisions

    private mutating func startWhatFits(into actions: inout [Action]) {
        while !stopped, started < submitted, running < maxRunning {
            actions.append(.start(started))
            started += 1
        }
    }

    private mutating func awaitTheOldest(into actions: inout [Action]) {
        guard let keepsRunning else { return }
        let keep = inputHasEnded ? 0 : keepsRunning
        while started - awaited > keep {
            actions.append(.await(awaited))
            awaited += 1
        }
    }
}
