/// Time as the job waiter sees it: a monotonic reading and a sleep, replaceable in tests.
protocol JobClock: Sendable {
    /// Time elapsed since an arbitrary fixed origin.
    func now() -> Duration
    /// Waits for `duration` (throws when the task is cancelled).
    func sleep(for duration: Duration) async throws
}

/// The real clock: `ContinuousClock` readings and `Task.sleep`.
struct SystemJobClock: JobClock {
    private let origin = ContinuousClock.now

    func now() -> Duration { ContinuousClock.now - origin }

    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// When `jobs.get` is called while a job runs: at 0, 1, 2, 5, 10, 15 and 20 seconds after the
/// job started, then every 20 seconds.
enum PollSchedule {
    static let early: [Duration] = [0, 1, 2, 5, 10, 15, 20].map { .seconds($0) }
    static let interval = Duration.seconds(20)

    /// The offset from the start of the `step`-th poll (zero-based).
    static func offset(ofPoll step: Int) -> Duration {
        if step < early.count { return early[step] }
        return .seconds(20) + interval * (step - early.count + 1)
    }
}

extension Duration {
    /// A short human form: `1h`, `90m`, `30s`, `1.5s`, `250ms`.
    var shortText: String {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if millis % 3_600_000 == 0, millis > 0 { return "\(millis / 3_600_000)h" }
        if millis % 60_000 == 0, millis > 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        if millis < 1000 { return "\(millis)ms" }
        return "\(Double(millis) / 1000)s"
    }
}
