public import Foundation

/// Which tracked-field records an export includes; every condition given must hold.
public struct TrackedExportFilter: Sendable, Hashable {
    /// Only the records of documents whose tracked field `name` holds exactly `value`.
    public var field: (name: String, value: String)? {
        get { fieldName.map { ($0, fieldValue ?? "") } }
        set {
            fieldName = newValue?.name
            fieldValue = newValue?.value
        }
    }
    /// Only records of executions of this process.
    public var processID: String?
    /// Only documents recorded at or after this time.
    public var from: Date?
    /// Only documents recorded before this time.
    public var to: Date?

    private var fieldName: String?
    private var fieldValue: String?

    /// Creates a filter; with no arguments it matches every record.
    public init(field: (name: String, value: String)? = nil, processID: String? = nil, from: Date? = nil, to: Date? = nil) {
        self.processID = processID
        self.from = from
        self.to = to
        self.field = field
    }
}
