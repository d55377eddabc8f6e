/// A connection component (`<connection id type>`): where and how to connect.
public struct ConnectionDefinition: Sendable, Hashable {
    public var id: String
    /// The connector type, e.g. `google-bigquery` or `disk`; keys the connector registry.
    public var type: String
    /// The root element; its children are the connector-specific settings.
    public var settings: SettingsElement
    public var location: SourceLocation

    public init(id: String, type: String, settings: SettingsElement, location: SourceLocation) {
        self.id = id
        self.type = type
        self.settings = settings
        self.location = location
    }
}

/// Which documents a `<tracking>` block records: those entering the shape or those leaving it.
public enum TrackingDirection: String, Sendable, Hashable { case input, output }

/// One tracked field recorded by an operation: a name from `tracked-fields.xml` and its value.
public struct TrackedFieldBinding: Sendable, Hashable {
    public var name: String
    public var value: ValueDefinition

    public init(name: String, value: ValueDefinition) {
        self.name = name
        self.value = value
    }
}

/// An operation component (`<operation id type action>`): what to do with a connection.
public struct OperationDefinition: Sendable, Hashable {
    public var id: String
    public var type: String
    public var action: String
    /// The root element; its children are the action-specific settings (tracking excluded).
    public var settings: SettingsElement
    public var trackingDirection: TrackingDirection
    public var tracking: [TrackedFieldBinding]
    public var location: SourceLocation

    public init(id: String, type: String, action: String, settings: SettingsElement,
                trackingDirection: TrackingDirection = .input, tracking: [TrackedFieldBinding] = [],
                location: SourceLocation) {
        self.id = id
        self.type = type
        self.action = action
        self.settings = settings
        self.trackingDirection = trackingDirection
        self.tracking = tracking
        self.location = location
    }
}

/// A tracked field declared in `processes/tracked-fields.xml`.
public struct TrackedFieldDefinition: Sendable, Hashable {
    public enum FieldType: String, Sendable, Hashable { case character, number, datetime }
    public var name: String
    public var type: FieldType
    public var location: SourceLocation

    public init(name: String, type: FieldType, location: SourceLocation) {
        self.name = name
        self.type = type
        self.location = location
    }
}
