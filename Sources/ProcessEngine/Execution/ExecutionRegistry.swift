import Synchronization

/// The processes executing now, so that a process with `allowSimultaneous="false"` runs once at a time.
public final class ExecutionRegistry: Sendable {
    private let running = Mutex<[String: Int]>([:])

    public init() {}

    /// Marks the process as running; false when it already runs.
    public func begin(_ processID: String) -> Bool {
        running.withLock { running in
            guard running[processID, default: 0] == 0 else { return false }
            running[processID] = 1
            return true
        }
    }

    /// Marks one execution of the process as ended.
    public func end(_ processID: String) {
        running.withLock { running in
            let count = running[processID, default: 0] - 1
            running[processID] = count > 0 ? count : nil
        }
    }

    /// Whether the process is running now.
    public func isRunning(_ processID: String) -> Bool {
        running.withLock { $0[processID, default: 0] > 0 }
    }
}
