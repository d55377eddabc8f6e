import ProcessModel

/// How much of a change stream one execution reads.
public enum ChangeReadMode: Sendable, Equatable {
    /// One micro-batch of about this many changes (whole transactions), as `conveyor serve` runs it.
    case batch(Int)
    /// Every change committed before the execution started (`conveyor run`).
    case untilCaughtUp
}

/// A connector that reads the changes of a database's tables (`<cdc>` start shapes).
public protocol ChangeCaptureConnector: Connector {
    /// Checks a `<cdc>` start shape against its connection when the workspace is validated.
    func validate(connection: ConnectionDefinition, capture: ChangeCaptureStart) -> [Diagnostic]

    /// Opens the change stream for one execution: its `read` hands the changes over as documents.
    func makeChangeReader(connection: ConnectionDefinition, capture: ChangeCaptureStart, mode: ChangeReadMode,
                          environment: ConnectorEnvironment) async throws -> any ChangeReader

    /// Opens a watch on the stream for a host, which runs an execution when changes wait.
    func makeChangeWatcher(connection: ConnectionDefinition, capture: ChangeCaptureStart,
                           environment: ConnectorEnvironment) async throws -> any ChangeWatcher
}

/// The change stream of one execution.
public protocol ChangeReader: ConnectorOperation {
    /// Called once the execution's status is known, before its end is recorded (its operations
    /// are closed by then): when `succeeded` (the execution ended without ERROR) the source's
    /// position moves past the changes handed over, otherwise it stays, and they are read again.
    /// Returns a line for the execution's log.
    func settle(succeeded: Bool) async -> String
}

/// What a host polls to decide when to run the next micro-batch.
public protocol ChangeWatcher: Sendable {
    /// How many changes wait to be read, counting up to about `limit` (whole transactions).
    func waitingChanges(upTo limit: Int) async throws -> Int
    /// Releases the watch's connection.
    func close() async
}
