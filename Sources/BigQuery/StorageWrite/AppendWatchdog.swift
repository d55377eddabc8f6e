import Synchronization

/// Ends an `AppendRows` call that gets no response in time, so a stalled connection fails (and
/// is retried) instead of hanging the execution.
final class AppendWatchdog: Sendable {
    private let timer = Mutex<Task<Void, Never>?>(nil)

    /// Starts the timer: after `timeout`, unless ``stop()`` came first, `connection` is cancelled
    /// (``AppendConnection/cancelForTimeout()``: the calls waiting on it see why).
    init(connection: AppendConnection, timeout: Duration) {
        let task = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            connection.cancelForTimeout()
        }
        timer.withLock { $0 = task }
    }

    /// Stops the timer.
    func stop() {
        timer.withLock { $0?.cancel() }
    }
}
