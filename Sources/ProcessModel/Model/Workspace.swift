/// All components of a workspace, loaded, validated and with references resolved.
public struct Workspace: Sendable {
    /// The workspace directory (absolute path).
    public var root: String
    public var processes: [String: ProcessDefinition]
    public var connections: [String: ConnectionDefinition]
    public var operations: [String: OperationDefinition]
    public var profiles: [String: ProfileDefinition]
    public var maps: [String: MapDefinition]
    public var trackedFields: [String: TrackedFieldDefinition]
    /// The file each component id was loaded from (workspace-relative).
    public var files: [String: String]
    /// The values `${secret:…}` references were replaced with, so hosts can keep them out of
    /// messages and records.
    public var secretValues: Set<String> = []
    /// The `environment` of the extensions applied when loading, or nil when none were.
    public var extensionsEnvironment: String?

    public init(root: String, processes: [String: ProcessDefinition] = [:],
                connections: [String: ConnectionDefinition] = [:],
                operations: [String: OperationDefinition] = [:], profiles: [String: ProfileDefinition] = [:],
                maps: [String: MapDefinition] = [:], trackedFields: [String: TrackedFieldDefinition] = [:],
                files: [String: String] = [:]) {
        self.root = root
        self.processes = processes
        self.connections = connections
        self.operations = operations
        self.profiles = profiles
        self.maps = maps
        self.trackedFields = trackedFields
        self.files = files
    }
}

/// Where `${secret:NAME}` values come from.
public protocol SecretStore: Sendable {
    /// The secret's value, or nil when it is not set.
    func secret(named name: String) -> String?
}
