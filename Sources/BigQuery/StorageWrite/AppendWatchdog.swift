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

extension Task where Success: Sendable {
    /// Waits for the task to end, cancelling it once `limit` has passed (a call or channel whose far
    /// end stopped answering would otherwise be waited for for ever).
    func end(within limit: Duration) async {
        let timer = Task<Void, Never> {
            guard (try? await Task<Never, Never>.sleep(for: limit)) != nil else { return }
            self.cancel()
        }
        _ = await result
        timer.cancel()
    }
}
