/// `<start><cdc connection slot publication tables maxBatch maxLatency snapshot/></start>`: the
/// process reads the changes of a database's tables (change data capture), one document per
/// changed row. `conveyor serve` runs it continuously, one execution per micro-batch;
/// `conveyor run` runs it once, until it has caught up.
public struct ChangeCaptureStart: Sendable, Hashable {
    /// The connection of the source database.
    public var connection: String
    /// The replication slot that keeps the position (created when missing).
    public var slot: String
    /// The publication naming the tables (created for `tables` when missing).
    public var publication: String
    /// `schema.table` names; empty: the publication's tables as they are.
    public var tables: [String]
    /// A micro-batch ends after this many changes (whole transactions are never split).
    public var maxBatch: Int
    /// … or this long after its first change waited, whichever comes first.
    public var maxLatency: Duration
    /// Existing rows are read once (as inserts) when the slot is created.
    public var snapshot: Bool
    public var location: SourceLocation

    public static let defaultMaxBatch = 1000
    public static let defaultMaxLatency = Duration.seconds(1)

    public init(connection: String, slot: String, publication: String, tables: [String],
                maxBatch: Int = Self.defaultMaxBatch, maxLatency: Duration = Self.defaultMaxLatency,
                snapshot: Bool = false, location: SourceLocation) {
        self.connection = connection
        self.slot = slot
        self.publication = publication
        self.tables = tables
        self.maxBatch = maxBatch
        self.maxLatency = maxLatency
        self.snapshot = snapshot
        self.location = location
    }
}
