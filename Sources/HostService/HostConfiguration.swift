/// How `conveyor serve` listens and behaves.
public struct HostConfiguration: Sendable {
    /// The address to bind (`127.0.0.1` by default; `0.0.0.0` for every interface).
    public var address: String
    /// The TCP port; 0 picks a free one.
    public var port: Int
    /// Who may call listeners and the REST API.
    public var authentication: HostAuthentication
    /// The largest request body accepted; larger bodies get 413.
    public var maxBodyBytes: Int
    /// How long running executions may take to finish once the host is told to stop.
    public var gracePeriod: Duration
    /// The `Retry-After` seconds sent with 503 answers (busy process, host stopping).
    public var retryAfterSeconds: Int
    /// How long the scheduler waits before re-running a failed scheduled execution.
    public var retryDelay: Duration
    /// How long a connection may send nothing (before or while sending a request) before the host
    /// closes it; a request whose execution is running is not cut.
    public var idleTimeout: Duration

    /// Creates a configuration.
    public init(address: String = "127.0.0.1", port: Int = 8080, authentication: HostAuthentication,
                maxBodyBytes: Int = 10 * 1024 * 1024, gracePeriod: Duration = .seconds(30),
                retryAfterSeconds: Int = 5, retryDelay: Duration = .seconds(5), idleTimeout: Duration = .seconds(60)) {
        self.address = address
        self.port = port
        self.authentication = authentication
        self.maxBodyBytes = maxBodyBytes
        self.gracePeriod = gracePeriod
        self.retryAfterSeconds = retryAfterSeconds
        self.retryDelay = retryDelay
        self.idleTimeout = idleTimeout
    }

    /// Parses a byte size such as `10MB`, `512KB`, `1GB` or `2048` (units are powers of 1024).
    public static func byteSize(_ text: String) throws(HostConfigurationError) -> Int {
        let upper = text.uppercased().filter { $0 != " " }
        let units: [(String, Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("G", 1 << 30),
                                      ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        var multiplier = 1
        var digits = Substring(upper)
        if let unit = units.first(where: { upper.hasSuffix($0.0) }) {
            multiplier = unit.1
            digits = digits.dropLast(unit.0.count)
        }
        guard let number = Int(digits), number > 0, number <= Int.max / multiplier else {
            throw HostConfigurationError("size '\(text)' is not a positive number of bytes such as 10MB, 512KB or 2048")
        }
        return number * multiplier
    }

    /// The longest duration a host option accepts: 365 days.
    public static let maximumDurationSeconds = 365 * 86_400

    /// Parses a duration such as `30s`, `2m`, `1h` or `45` (seconds), from zero to 365 days.
    public static func duration(_ text: String) throws(HostConfigurationError) -> Duration {
        let lower = text.lowercased()
        let units: [(String, Int)] = [("ms", 0), ("s", 1), ("m", 60), ("h", 3600)]
        var parsed: (number: Int, seconds: Int)?
        for (suffix, seconds) in units where lower.hasSuffix(suffix) {
            if let number = Int(lower.dropLast(suffix.count)), number >= 0 { parsed = (number, seconds) }
            break
        }
        if parsed == nil, let number = Int(lower), number >= 0 { parsed = (number, 1) }
        guard let parsed else {
            throw HostConfigurationError("duration '\(text)' is not a duration such as 30s, 2m or 1h")
        }
        let limit = parsed.seconds == 0 ? maximumDurationSeconds * 1000 : maximumDurationSeconds / parsed.seconds
        guard parsed.number <= limit else {
            throw HostConfigurationError("duration '\(text)' is longer than 365 days (8760h)")
        }
        return parsed.seconds == 0 ? .milliseconds(parsed.number) : .seconds(parsed.number * parsed.seconds)
    }
}

/// A host option that could not be understood.
public struct HostConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what is expected.
    public var message: String

    /// Creates an error with a message.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
