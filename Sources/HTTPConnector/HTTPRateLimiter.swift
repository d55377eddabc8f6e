/// Limits one connection's requests: at most `maxInFlight` waiting for an answer at once, and
/// starts spaced so that no more than `requestsPerSecond` begin in any second.
actor HTTPRateLimiter {
    private let maxInFlight: Int
    private let interval: Duration?
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextStart = ContinuousClock.now

    init(maxInFlight: Int, requestsPerSecond: Double?) {
        self.maxInFlight = maxInFlight
        interval = requestsPerSecond.map { .nanoseconds(Int64((1_000_000_000 / $0).rounded())) }
    }

    /// Waits for a free slot and the next start time; every successful call is paired with ``release()``.
    func acquire() async throws {
        if inFlight < maxInFlight {
            inFlight += 1
        } else {
            // ``release()`` hands its slot straight to the first waiter.
            await withCheckedContinuation { waiters.append($0) }
        }
        guard let interval else { return }
        let now = ContinuousClock.now
        let start = max(now, nextStart)
        nextStart = start + interval
        if start > now {
            do { try await Task.sleep(until: start, clock: .continuous) } catch {
                release()
                throw error
            }
        }
    }

    /// Gives a slot back.
    func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
