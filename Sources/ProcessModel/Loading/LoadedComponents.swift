/// The components read from a workspace, in file order, before the workspace-wide checks.
struct LoadedComponents {
    var processes: [ProcessDefinition] = []
    var connections: [ConnectionDefinition] = []
    var operations: [OperationDefinition] = []
    var profiles: [ProfileDefinition] = []
    var maps: [MapDefinition] = []
    var trackedFields: [TrackedFieldDefinition] = []
    /// Ids of components whose files had schema errors: references to them are not reported again.
    var invalidIDs: Set<String> = []

    /// Every component id with its location, in file order.
    var identifiedComponents: [(id: String, location: SourceLocation)] {
        let all: [(id: String, location: SourceLocation)] = processes.map { ($0.id, $0.location) }
            + connections.map { ($0.id, $0.location) } + operations.map { ($0.id, $0.location) }
            + profiles.map { ($0.id, $0.location) } + maps.map { ($0.id, $0.location) }
        return all.sorted { ($0.location.file, $0.location.line) < ($1.location.file, $1.location.line) }
    }

    /// The workspace value; for a duplicated id the first definition wins.
    func workspace(root: String) -> Workspace {
        var workspace = Workspace(root: root)
        for process in processes where workspace.processes[process.id] == nil {
            workspace.processes[process.id] = process
        }
        for connection in connections where workspace.connections[connection.id] == nil {
            workspace.connections[connection.id] = connection
        }
        for operation in operations where workspace.operations[operation.id] == nil {
            workspace.operations[operation.id] = operation
        }
        for profile in profiles where workspace.profiles[profile.id] == nil {
            workspace.profiles[profile.id] = profile
        }
        for map in maps where workspace.maps[map.id] == nil {
            workspace.maps[map.id] = map
        }
        for field in trackedFields where workspace.trackedFields[field.name] == nil {
            workspace.trackedFields[field.name] = field
        }
        for (id, location) in identifiedComponents where workspace.files[id] == nil {
            workspace.files[id] = location.file
        }
        return workspace
    }
}
