/// The state of one execution of a process, as shown in execution listings.
public enum ExecutionStatus: String, Sendable, Codable, CaseIterable {
    /// The execution has started and has not finished yet.
    case inProcess = "INPROCESS"
    /// Every document finished without error.
    case complete = "COMPLETE"
    /// The execution finished, but with notify warnings or application errors returned.
    case completeWarn = "COMPLETE_WARN"
    /// The execution failed.
    case error = "ERROR"
    /// The host died or was stopped before the execution finished.
    case aborted = "ABORTED"
}
