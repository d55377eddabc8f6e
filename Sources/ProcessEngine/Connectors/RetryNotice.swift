/// A request a connector operation is about to send again after a transient failure, told
/// before the wait so that a long run of retries (a far end that stopped answering) is visible
/// while it lasts, not only in the execution's retry count afterwards.
public struct RetryNotice: Sendable, Equatable {
    /// What is sent again, such as `GET https://…/tables/orders` or `AppendRows to project.dataset.table`.
    public var request: String
    /// The attempt that failed (1-based); the next one is `attempt + 1`.
    public var attempt: Int
    /// All the attempts the policy allows, the first one included.
    public var maxAttempts: Int
    /// How long the operation waits before sending again.
    public var delay: Duration
    /// Why the attempt failed, such as `HTTP 503` or a transport error.
    public var reason: String

    /// A notice from its parts in declaration order (as a retrying HTTP client reports them).
    public init(_ request: String, _ attempt: Int, _ maxAttempts: Int, _ delay: Duration, _ reason: String) {
        self.init(request: request, attempt: attempt, maxAttempts: maxAttempts, delay: delay, reason: reason)
    }

    public init(request: String, attempt: Int, maxAttempts: Int, delay: Duration, reason: String) {
        self.request = request
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.delay = delay
        self.reason = reason
    }
}
