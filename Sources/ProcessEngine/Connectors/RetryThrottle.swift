import ConveyorBase

/// Which retries (``RetryNotice``) of a run get a line of their own: at most one a second for each shape of an
/// execution, the retries in between counted on the next line (a batch of requests failing
/// together would otherwise write one line each).
public struct RetryThrottle: Sendable {
    private var last: [String: ContinuousClock.Instant] = [:]
    private var held: [String: Int] = [:]
    private let interval = Duration.seconds(1)

    public init() {}

    /// Nil when the retry of `key` (execution and shape) is only counted; otherwise it gets a
    /// line, and this is how many retries of `key` were counted since the last one.
    public mutating func admit(_ key: String, now: ContinuousClock.Instant) -> Int? {
        if let previous = last[key], now - previous < interval {
            held[key, default: 0] += 1
            return nil
        }
        // A long-lived host sees many executions: keys quiet for a minute are forgotten (what they
        // held is not told any more: their executions have moved on).
        if last.count >= 1_000 {
            let quiet = last.filter { now - $0.value >= .seconds(60) }.map(\.key)
            for key in quiet {
                last[key] = nil
                held[key] = nil
            }
        }
        last[key] = now
        return held.removeValue(forKey: key) ?? 0
    }

    /// The line, e.g. `retry: shape 'write': GET https://…/tables/t failed (HTTP 503); attempt 3 of 8 in 3.2 s`.
    public static func line(_ notice: RetryNotice, shapeID: String, held: Int) -> String {
        let (seconds, attoseconds) = notice.delay.components
        let delay = Double(seconds) + Double(attoseconds) / 1e18
        // A reason that names the request again (the Storage Write API's errors do) names it once.
        var reason = notice.reason
        if reason.hasPrefix(notice.request + ": ") { reason.removeFirst(notice.request.count + 2) }
        var text = "retry: shape '\(shapeID)': \(shortened(notice.request)) failed (\(shortened(reason))); "
            + "attempt \(notice.attempt + 1)"
        if notice.maxAttempts > 0 { text += " of \(notice.maxAttempts)" }
        text += " in " + FixedDecimal.string(delay, places: 1) + " s"
        if held > 0 { text += " (\(held) more \(held == 1 ? "retry" : "retries") since the last line)" }
        // Control characters a far end's message carries stay escaped: the notice stays one line.
        return PrintableText.escapingControls(text)
    }

    /// `text` cut after 1,000 characters (a URL holding a large document value, a long error from
    /// the far end), saying how much was left out.
    static func shortened(_ text: String) -> String {
        let limit = 1_000
        guard text.utf8.count > limit, text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.count - limit) more characters)"
    }
}
