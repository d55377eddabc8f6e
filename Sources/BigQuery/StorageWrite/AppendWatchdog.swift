import Synchronization

/// Ends an `AppendRows` call that gets no response in time, so a stalled connection fails (and
/// is retried) instead of hanging the execution.
final class AppendWatchdog: Sendable {
    private let flag = Flag()
    private let timer = Mutex<Task<Void, Never>?>(nil)

    /// Starts the timer: after `timeout`, unless ``stop()`` came first, `connection` is cancelled.
    init(connection: AppendConnection, timeout: Duration) {
        let task = Task { [flag] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            flag.fired.store(true, ordering: .relaxed)
            connection.cancel()
        }
        timer.withLock { $0 = task }
    }

    /// Stops the timer.
    func stop() {
        timer.withLock { $0?.cancel() }
    }

    /// Whether the timer ran out and cancelled the call.
    var didFire: Bool { flag.fired.load(ordering: .relaxed) }

    /// Set by the timer when it fires.
    private final class Flag: Sendable {
        let fired = Atomic<Bool>(false)
    }
}
