import Synchronization

/// The far end found unreachable, shared by the requests of one execution's connection.
///
/// Once a request has spent every attempt on failing to reach the far end (a connection refused,
/// a name not resolved, a time limit reached: no answer at all), no request retries a failure to
/// get an answer, neither those sent after it nor those waiting to retry, until one is answered.
/// An endpoint that stays down then ends an execution of many requests in about one retry
/// budget, not one per request; the requests still fail one by one, with their cause.
public final class OutageCircuit: Sendable {
    private let spent = Mutex<Int?>(nil)

    public init() {}

    /// The attempts the request that opened the circuit spent; nil while requests get the whole budget.
    public var openedAfter: Int? {
        spent.withLock { $0 }
    }

    /// A request spent `attempts` attempts without reaching the far end.
    public func open(after attempts: Int) {
        spent.withLock { if $0 == nil { $0 = attempts } }
    }

    /// The far end answered: requests get the whole budget again.
    public func close() {
        spent.withLock { $0 = nil }
    }

    /// Why a request sent `sent` times was not retried (further), for its error message.
    public static func note(sent: Int, openedAfter attempts: Int) -> String {
        (sent == 1 ? "sent once, not retried" : "sent \(sent) times, not retried further")
            + ": an earlier request found the endpoint unreachable after \(attempts) attempts"
    }
}
