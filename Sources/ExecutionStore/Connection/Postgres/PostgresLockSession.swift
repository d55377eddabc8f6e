import Foundation
import Synchronization

/// The PostgreSQL session whose advisory locks tell which executions a command (or host) runs.
///
/// A PostgreSQL store keeps no lease files: a command running an execution holds the
/// session-level advisory lock `conveyor.execution:<id>` on a connection of its own, and the
/// server releases every lock of a session when its connection ends — however the command ended
/// (SIGKILL, crash, power loss: the server notices the closed or timed-out connection). Another
/// command tells a live execution from an orphan by trying the lock.
final class PostgresLockSession: Sendable {
    let location: PostgresLocation
    private let connection = Mutex<PostgresStoreConnection?>(nil)

    init(location: PostgresLocation) {
        self.location = location
    }

    /// The key of an execution's lease.
    static func executionLock(_ id: String) -> String { "conveyor.execution:" + id }

    /// Takes the session-level lock `name`; false when another session holds it.
    func tryLock(_ name: String) throws -> Bool {
        try connection.withLock { held in
            let session = try held ?? PostgresStoreConnection(location: location, purpose: "locks")
            held = session
            return try Self.tryLock(name, on: session)
        }
    }

    /// Releases the lock `name` (nothing when it is not held).
    func unlock(_ name: String) {
        connection.withLock { held in
            guard let session = held else { return }
            do {
                try Self.unlock(name, on: session)
            } catch {
                // The session is broken: its locks are gone with it. Open a new one next time.
                held = nil
            }
        }
    }

    static func tryLock(_ name: String, on connection: any StoreConnection) throws -> Bool {
        var granted = false
        try connection.query("SELECT pg_try_advisory_lock(hashtextextended(?1, 0))", [.text(name)],
                             operation: "take the lock \(name)") { granted = $0.int64(0) != 0 }
        return granted
    }

    static func unlock(_ name: String, on connection: any StoreConnection) throws {
        try connection.execute("SELECT pg_advisory_unlock(hashtextextended(?1, 0))", [.text(name)],
                               operation: "release the lock \(name)")
    }

    /// Whether a session holds the lock `name`, changing nothing; with `ifFree`, that runs while
    /// `connection` holds the lock (so its owner cannot take it back meanwhile).
    static func isHeld(_ name: String, on connection: any StoreConnection, ifFree: () throws -> Void = {}) throws -> Bool {
        guard try tryLock(name, on: connection) else { return true }
        defer { try? unlock(name, on: connection) }
        try ifFree()
        return false
    }
}
