import Foundation

/// Where an execution stands while it runs: enough for a one-line progress display.
public struct ExecutionProgress: Sendable {
    /// The execution's id.
    public var executionID: String
    /// When the execution started.
    public var startTime: Date
    /// Documents the start shape produced so far.
    public var documentsIn: Int
    /// Documents that reached the end of a path so far.
    public var documentsOut: Int
    /// Documents that failed so far.
    public var documentsError: Int
    /// The shape a chunk of documents is entering.
    public var shapeID: String

    /// A progress snapshot.
    public init(executionID: String, startTime: Date, documentsIn: Int, documentsOut: Int,
                documentsError: Int, shapeID: String) {
        self.executionID = executionID
        self.startTime = startTime
        self.documentsIn = documentsIn
        self.documentsOut = documentsOut
        self.documentsError = documentsError
        self.shapeID = shapeID
    }
}

/// Told about an execution's progress each time a chunk of documents enters a shape.
///
/// Called synchronously, once per chunk (not per document), on the execution's task — or, for
/// the batches of a flowControl shape with several `threads`, on their tasks, possibly at the
/// same time: implementations must be safe to call concurrently and return quickly (throttle
/// any output themselves).
public protocol ProgressObserver: Sendable {
    /// A chunk of documents is entering `progress.shapeID`.
    func progressed(_ progress: ExecutionProgress)

    /// The operation of connector shape `shapeID` of execution `executionID` is about to wait and
    /// send a request again (called on the operation's task, possibly from several at once). The
    /// default does nothing.
    func retrying(_ notice: RetryNotice, shapeID: String, executionID: String)
}

extension ProgressObserver {
    public func retrying(_ notice: RetryNotice, shapeID: String, executionID: String) {}
}
