import Foundation

/// A process property value kept from one execution to the next (`persist="true"`).
public struct PersistedProperty: Sendable, Hashable {
    /// The process the property belongs to.
    public var processID: String
    /// The property name.
    public var name: String
    /// The value at the end of the execution that stored it.
    public var value: String
    /// The execution that stored the value.
    public var executionID: String
    /// When the value was stored.
    public var updatedAt: Date

    /// A persisted value.
    public init(processID: String, name: String, value: String, executionID: String, updatedAt: Date) {
        self.processID = processID
        self.name = name
        self.value = value
        self.executionID = executionID
        self.updatedAt = updatedAt
    }
}
