import ExecutionModel
import Foundation

/// A PostgreSQL store's process locks: the session advisory lock `conveyor.process:<id>`, held by
/// the store's lock session (see ``PostgresLockSession``), so `allowSimultaneous="false"` holds
/// across every command and host of the cluster, and a killed holder's lock goes with its connection.
extension ExecutionStore: ProcessLocking {
    public func tryLockProcess(_ processID: String, executionID: String) throws -> (any ProcessLockHold)? {
        guard let lockSession else { return nil }
        let name = "conveyor.process:" + processID
        guard try lockSession.tryLock(name) else { return nil }
        return AdvisoryProcessLock(session: lockSession, name: name)
    }

    /// The process's running execution, newest first: the lock is taken just before the execution
    /// is recorded, so for a moment (or after a holder's host died unnoticed) none may be known.
    public func processLockHolder(_ processID: String) -> String? {
        guard let running = try? executions(matching: ExecutionQuery(processID: processID, status: .inProcess, limit: 1)).first
        else { return nil }
        let started = running.startTime.formatted(.iso8601)
        return "execution \(running.id) " + (running.host.map { "on host \($0), " } ?? "by a command, ") + "started \(started)"
    }

    /// Whether the store's process locks apply (a PostgreSQL store).
    public var sharesProcessLocks: Bool { lockSession != nil }
}

/// A held process lock of a PostgreSQL store.
final class AdvisoryProcessLock: ProcessLockHold {
    private let lease: ExecutionLease

    init(session: PostgresLockSession, name: String) {
        lease = ExecutionLease(session: session, name: name)
    }

    func release() { lease.release() }
}
