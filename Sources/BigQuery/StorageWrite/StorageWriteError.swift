/// A Storage Write API call that failed, with the gRPC status and what it concerned.
public struct StorageWriteError: Error, Sendable, CustomStringConvertible {
    /// The gRPC status code (`14` UNAVAILABLE, `3` INVALID_ARGUMENT, …).
    public var code: Int
    /// The server's message.
    public var message: String
    /// What was attempted (`AppendRows to p.d.t`).
    public var operation: String
    /// The client's own transport failed (the connection broke in a way it did not classify): a
    /// gRPC UNKNOWN the client made, with a cause, where the server sent no status. Transient,
    /// whatever the code.
    public var inTransport = false

    /// `AppendRows to p.d.t: INVALID_ARGUMENT (3): message`.
    public var description: String {
        "\(operation): \(StorageWriteStatus.name(of: code)) (\(code)): \(message)"
    }
}

/// What to do about a gRPC status from the Storage Write API.
enum StorageWriteStatus: Equatable, Sendable {
    /// Transient: retry with backoff.
    case retry
    /// The token was refused: fetch a new one (once) and retry.
    case refreshToken
    /// The offset was written before (exactly-once): count the rows as written.
    case alreadyWritten
    /// The offset is beyond the stream's end: resume from the last acknowledged offset.
    case outOfRange
    /// Permanent: fail the rows.
    case fail

    /// What to do about `error`: a failure of the client's own transport is retried, as UNAVAILABLE is.
    static func classify(_ error: StorageWriteError) -> StorageWriteStatus {
        error.inTransport ? .retry : classify(code: error.code)
    }

    static func classify(code: Int) -> StorageWriteStatus {
        switch code {
        case 1, 4, 8, 10, 13, 14: .retry           // CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE
        case 16: .refreshToken                     // UNAUTHENTICATED
        case 6: .alreadyWritten                    // ALREADY_EXISTS
        case 11: .outOfRange                       // OUT_OF_RANGE
        default: .fail                             // INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION, …
        }
    }

    static func name(of code: Int) -> String {
        let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                     "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                     "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                     "UNAUTHENTICATED"]
        return names.indices.contains(code) ? names[code] : "STATUS"
    }
}

/// Exactly-once delivery refused: another execution that is still running owns the process's
/// write checkpoint for the table (two executions cannot share one stream and one position).
struct StorageWriteRefusal: Error, Sendable, CustomStringConvertible {
    var table: TableReference
    var processID: String
    var owner: String
    /// The owner is this very execution (another shape of it writes exactly-once to the table).
    var sameExecution: Bool

    var description: String {
        if sameExecution {
            return "exactly-once delivery to \(table) refused: another shape of this execution already writes to it "
                + "exactly-once under process \(processID); nothing was written"
        }
        return "exactly-once delivery to \(table) refused: execution \(owner) of process \(processID) is still running "
            + "and owns its write stream and checkpoint; nothing was written (run again once it has ended, "
            + "or use <delivery>at-least-once</delivery> for simultaneous executions)"
    }
}
