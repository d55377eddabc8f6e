public import Foundation

/// The summary of one execution of a process: what the store keeps, what `conveyor run --json`,
/// `conveyor executions list|show --json` and the REST API (`/api/executions`) write.
///
/// Its `Codable` form is the one execution JSON shape (camelCase, identifiers spelled `Id`, optional
/// fields left out when absent), encoded with ``ExecutionJSON/encoder(pretty:)`` and described by
/// `docs/schema/execution-summary.schema.json`.
///
/// Dates are kept with millisecond precision: a date read back from the store
/// is the stored date rounded to the nearest millisecond.
public struct ExecutionRecord: Sendable, Hashable, Codable {
    /// The unique execution id.
    public var id: String
    /// The `id` of the process that ran (`processId` in JSON).
    public var processID: String
    /// The display name of the process that ran.
    public var processName: String
    /// What started the execution: `manual`, `schedule`, `listener`, `subprocess`, `retry` or `changes`.
    public var trigger: String
    /// The current state of the execution.
    public var status: ExecutionStatus
    /// When the execution started.
    public var startTime: Date
    /// When the execution finished; `nil` while it runs.
    public var endTime: Date?
    /// Documents produced by the start shape.
    public var documentsIn: Int
    /// Documents that reached the end of a path.
    public var documentsOut: Int
    /// Documents that failed.
    public var documentsError: Int
    /// Documents a connector kept in its dead-letter queue instead of delivering them (counted among
    /// the documents out); above 0 the execution ends COMPLETE_WARN.
    public var documentsDeadLettered: Int
    /// The message of the error that ended the execution, if any.
    public var error: String?
    /// Per-shape document counts, in the order the engine reported them (`shapes` in JSON).
    public var shapeCounts: [ShapeCount]
    /// Lines added by `notify` shapes, in order.
    public var userLog: [String]
    /// The execution whose process call started this one, for child executions (`parentExecutionId` in JSON).
    public var parentExecutionID: String?
    /// Requests the execution's connectors sent again after transient failures (HTTP 429 and
    /// 5xx, connection resets, timeouts, stream reconnects); 0 while it runs.
    public var retries: Int
    /// The host of the cluster that ran it (its `--host-id`); nil for an execution a command ran
    /// outside a host, or a store that is not a cluster's.
    public var host: String?

    /// Creates an execution record; counts start at zero and the status at `INPROCESS`.
    public init(
        id: String,
        processID: String,
        processName: String,
        trigger: String,
        status: ExecutionStatus = .inProcess,
        startTime: Date,
        endTime: Date? = nil,
        documentsIn: Int = 0,
        documentsOut: Int = 0,
        documentsError: Int = 0,
        error: String? = nil,
        shapeCounts: [ShapeCount] = [],
        userLog: [String] = [],
        parentExecutionID: String? = nil,
        retries: Int = 0,
        documentsDeadLettered: Int = 0,
        host: String? = nil
    ) {
        self.id = id
        self.processID = processID
        self.processName = processName
        self.trigger = trigger
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.documentsIn = documentsIn
        self.documentsOut = documentsOut
        self.documentsError = documentsError
        self.error = error
        self.shapeCounts = shapeCounts
        self.userLog = userLog
        self.parentExecutionID = parentExecutionID
        self.retries = retries
        self.documentsDeadLettered = documentsDeadLettered
        self.host = host
    }

    enum CodingKeys: String, CodingKey {
        case id, processID = "processId", processName, trigger, status, startTime, endTime
        case documentsIn, documentsOut, documentsError, documentsDeadLettered, error
        case shapeCounts = "shapes", userLog, parentExecutionID = "parentExecutionId", retries, host
    }
}
