/// Which executions to list, newest first.
public struct ExecutionFilter: Sendable {
    /// Only executions of this process, when set.
    public var processID: String?
    /// Only executions in this state, when set.
    public var status: ExecutionStatus?
    /// The most executions to return; zero or less returns all.
    public var limit: Int

    /// Creates a filter; by default the 50 newest executions of every process.
    public init(processID: String? = nil, status: ExecutionStatus? = nil, limit: Int = 50) {
        self.processID = processID
        self.status = status
        self.limit = limit
    }
}
