public import Foundation

/// Which executions to list for the host's REST API, newest first.
public struct ExecutionQuery: Sendable, Hashable {
    /// Only executions of this process, when set.
    public var processID: String?
    /// Only executions in this state, when set.
    public var status: ExecutionStatus?
    /// Only executions with this trigger (`manual`, `schedule`, `listener`, …), when set.
    public var trigger: String?
    /// Only executions run by this cluster host (its `--host-id`), when set.
    public var host: String?
    /// Only executions that started at or after this time, when set.
    public var from: Date?
    /// Only executions that started before this time, when set.
    public var to: Date?
    /// The most executions to return; zero or less returns all.
    public var limit: Int

    /// Creates a query; by default the 50 newest executions.
    public init(processID: String? = nil, status: ExecutionStatus? = nil, trigger: String? = nil,
                host: String? = nil, from: Date? = nil, to: Date? = nil, limit: Int = 50) {
        self.processID = processID
        self.status = status
        self.trigger = trigger
        self.host = host
        self.from = from
        self.to = to
        self.limit = limit
    }
}
