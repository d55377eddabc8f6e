/// Locks that keep a process with `allowSimultaneous="false"` to one execution across every
/// command and host sharing a store (a PostgreSQL store's advisory locks); without them, a
/// workspace's lock files do it for the commands on one machine.
public protocol ProcessLocking: Sendable {
    /// Takes the lock of `processID` for `executionID` without waiting; nil when another command
    /// or host holds it.
    func tryLockProcess(_ processID: String, executionID: String) throws -> (any ProcessLockHold)?
}

/// A held process lock.
public protocol ProcessLockHold: Sendable {
    /// Gives the lock up (later calls do nothing).
    func release()
}
