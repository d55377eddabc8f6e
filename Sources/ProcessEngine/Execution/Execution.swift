import Foundation

/// An execution of a process: who started it, how it ended, and what its documents did.
public struct Execution: Sendable {
    public var info: ExecutionInfo
    public var status: ExecutionStatus
    public var endTime: Date?
    /// Documents the start shape produced.
    public var documentsIn: Int
    /// Documents that reached the end of a path.
    public var documentsOut: Int
    /// Documents that failed at some shape.
    public var documentsError: Int
    /// Documents a connector could not deliver and kept in its dead-letter queue (they count among
    /// the documents out: they went on); above 0 makes the execution COMPLETE_WARN.
    public var documentsDeadLettered: Int = 0
    /// The first error, when the execution did not complete.
    public var error: String?
    /// Per-shape document counts, in shape order.
    public var shapeCounts: [ShapeCount]
    /// User log lines (notices, warnings).
    public var userLog: [String]
    /// The process properties as the execution left them (set when it finishes).
    public var processProperties: [String: String] = [:]
    /// Requests its connector operations sent again after transient failures (HTTP 429/5xx,
    /// connection resets, timeouts, stream reconnects); set when it finishes.
    public var retries: Int = 0

    public init(info: ExecutionInfo, status: ExecutionStatus = .inProcess, endTime: Date? = nil, documentsIn: Int = 0,
                documentsOut: Int = 0, documentsError: Int = 0, error: String? = nil,
                shapeCounts: [ShapeCount] = [], userLog: [String] = []) {
        self.info = info
        self.status = status
        self.endTime = endTime
        self.documentsIn = documentsIn
        self.documentsOut = documentsOut
        self.documentsError = documentsError
        self.error = error
        self.shapeCounts = shapeCounts
        self.userLog = userLog
    }
}

extension Execution {
    /// The execution's summary, as the store keeps it and the JSON shows it (secrets not yet redacted).
    public var record: ExecutionRecord {
        ExecutionRecord(
            id: info.id, processID: info.processID, processName: info.processName, trigger: info.trigger.rawValue,
            status: status, startTime: info.startTime, endTime: endTime, documentsIn: documentsIn,
            documentsOut: documentsOut, documentsError: documentsError, error: error, shapeCounts: shapeCounts,
            userLog: userLog, parentExecutionID: info.parentExecutionID, retries: retries,
            documentsDeadLettered: documentsDeadLettered)
    }
}

/// What happened to one document at one shape: the tracking record auditors search.
public struct DocumentTrace: Sendable, Hashable {
    public enum Direction: String, Sendable { case input, output }

    public var shapeID: String
    public var connectionID: String?
    public var operationID: String?
    public var direction: Direction
    public var index: Int
    public var status: DocumentStatus
    public var error: String?
    /// The ``DocumentError/Code`` of ``error`` (`deadLettered` for a dead-lettered document).
    public var errorCode: DocumentError.Code?
    /// Tracked field values, in the order the operation lists them.
    public var trackedValues: [TrackedFieldValue]
    /// How many documents the trace stands for: the documents `index ..< index + count`, all with
    /// this outcome. Above 1 only for runs of successful documents without tracked values.
    public var count: Int

    /// Creates the trace of one document, or of a run of `count` documents from `index`.
    public init(shapeID: String, connectionID: String? = nil, operationID: String? = nil, direction: Direction,
                index: Int, status: DocumentStatus, error: String? = nil, errorCode: DocumentError.Code? = nil,
                trackedValues: [TrackedFieldValue] = [], count: Int = 1) {
        self.shapeID = shapeID
        self.connectionID = connectionID
        self.operationID = operationID
        self.direction = direction
        self.index = index
        self.status = status
        self.error = error
        self.errorCode = errorCode
        self.trackedValues = trackedValues
        self.count = count
    }

    /// One trace per document of the run (the trace itself when it stands for one document).
    public var expanded: [DocumentTrace] {
        guard count > 1 else { return [self] }
        return (0..<count).map { offset in
            var single = self
            single.index = index + offset
            single.count = 1
            return single
        }
    }
}

/// One tracked field's value for one document.
public struct TrackedFieldValue: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Where executions are recorded. The engine calls it; the store behind it is the host's choice.
public protocol ExecutionRecorder: Sendable {
    /// The execution began (status INPROCESS).
    func started(_ execution: Execution) async throws
    /// Tracking records of documents, in batches, one trace per document.
    func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws
    /// Tracking records of documents, in batches, where one trace may stand for a run of
    /// documents (``DocumentTrace/count`` above 1). The engine calls this one; the default
    /// expands the runs and calls ``recorded(_:in:)``.
    func recorded(runs documents: [DocumentTrace], in execution: ExecutionInfo) async throws
    /// The execution is still running; `execution` carries its counts so far (about once a second,
    /// after the tracking records collected until then were passed to ``recorded(runs:in:)``).
    func progressed(_ execution: Execution) async throws
    /// The execution ended; `execution` carries its final status and counts. When this throws, the
    /// engine calls it once more with the execution in ERROR (the store failing is the execution
    /// failing); a recorder that still cannot write should leave a trace for whoever opens the store next.
    func finished(_ execution: Execution) async throws
    /// Contents of documents kept at connector shapes (`captureDocuments`), after the tracking
    /// records of the same documents were passed to ``recorded(runs:in:)``.
    func captured(_ documents: [CapturedDocument], in execution: ExecutionInfo) async throws
}

extension ExecutionRecorder {
    /// Keeps nothing.
    public func progressed(_ execution: Execution) async throws {}

    /// Keeps nothing.
    public func captured(_ documents: [CapturedDocument], in execution: ExecutionInfo) async throws {}

    /// Expands runs into one trace per document and calls ``recorded(_:in:)``.
    public func recorded(runs documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        guard documents.contains(where: { $0.count > 1 }) else {
            try await recorded(documents, in: execution)
            return
        }
        try await recorded(documents.flatMap(\.expanded), in: execution)
    }
}

/// A recorder that keeps nothing, for callers that need no history.
public struct DiscardingRecorder: ExecutionRecorder {
    public init() {}
    public func started(_ execution: Execution) async throws {}
    public func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {}
    public func recorded(runs documents: [DocumentTrace], in execution: ExecutionInfo) async throws {}
    public func finished(_ execution: Execution) async throws {}
}
