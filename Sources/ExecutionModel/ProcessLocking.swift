/// Locks that keep a process with `allowSimultaneous="false"` to one execution across every
/// command and host sharing a store (a PostgreSQL store's advisory locks); without them, a
/// workspace's lock files do it for the commands on one machine.
public protocol ProcessLocking: Sendable {
    /// Takes the lock of `processID` for `executionID` without waiting; nil when another command
    /// or host holds it.
    func tryLockProcess(_ processID: String, executionID: String) throws -> (any ProcessLockHold)?

    /// Who holds the lock of `processID`, for a refused command to name (`execution ID on host H,
    /// started T`); nil when that is not known.
    func processLockHolder(_ processID: String) -> String?
}

extension ProcessLocking {
    /// What a command or host refused the lock of `processID` says: the process, its holder when
    /// known, and that nothing ran.
    public func refusal(processID: String) -> String {
        "process '\(processID)' is already running (" + (processLockHolder(processID).map { $0 + "; " } ?? "")
            + "another command or host of the cluster holds its lock) and does not allow simultaneous "
            + "executions (allowSimultaneous=\"false\"); nothing was run or recorded"
    }
}

/// A held process lock.
public protocol ProcessLockHold: Sendable {
    /// Gives the lock up (later calls do nothing).
    func release()
}
