import Synchronization

/// The answer did not come within the time given.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    let waitingFor: String
    var description: String {
        let (seconds, attoseconds) = limit.components
        let amount = attoseconds == 0 ? "\(seconds) s" : "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000) ms"
        return "no answer within \(amount) while \(waitingFor)"
    }
}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` once `limit` has passed
/// without one, at once: unlike a task group, it does not wait for the operation to end. The
/// operation's task is cancelled then, and `onExpiry` runs (to release what it waits on, such as
/// a connection). Cancelling the caller throws `CancellationError` the same way.
func withDeadline<T: Sendable>(_ limit: Duration, waitingFor: String,
                               onExpiry: @escaping @Sendable () async -> Void = {},
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.waiter.withLock { $0 = continuation }
            let work = Task {
                let result: Result<T, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                if race.settle(result) { race.cancelTasks() }
            }
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                if race.settle(.failure(DeadlineExceeded(limit: limit, waitingFor: waitingFor))) {
                    work.cancel()
                    await onExpiry()
                }
            }
            race.tasks.withLock { $0 = [work, timer] }
            // Cancelled before the waiter was there (the handler found nothing to resume), or
            // settled before the tasks were recorded: end both now.
            if Task.isCancelled { _ = race.settle(.failure(CancellationError())) }
            if race.waiter.withLock({ $0 == nil }) { race.cancelTasks() }
        }
    } onCancel: {
        if race.settle(.failure(CancellationError())) { race.cancelTasks() }
    }
}

/// The waiter of ``withDeadline``, resumed once, by whichever comes first.
private final class DeadlineRace<T: Sendable>: Sendable {
    let waiter = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let tasks = Mutex<[Task<Void, Never>]>([])

    /// Resumes the waiter with `result`, unless it was resumed already; returns whether it was this call.
    func settle(_ result: Result<T, any Error>) -> Bool {
        guard let continuation = waiter.withLock({ $0.take() }) else { return false }
        continuation.resume(with: result)
        return true
    }

    func cancelTasks() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }
}
