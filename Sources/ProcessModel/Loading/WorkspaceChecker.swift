/// The workspace-wide checks: unique ids, references between components, and process graphs.
struct WorkspaceChecker {
    let components: LoadedComponents
    private var diagnostics: [Diagnostic] = []
    private var connections: [String: ConnectionDefinition] = [:]
    private var operations: [String: OperationDefinition] = [:]
    private var profiles: Set<String> = []
    private var maps: Set<String> = []
    private var trackedFields: Set<String> = []

    init(components: LoadedComponents) {
        self.components = components
    }

    /// Runs every check and returns all problems found.
    func check() -> [Diagnostic] {
        var checker = self
        checker.run()
        return checker.diagnostics
    }

    private mutating func run() {
        checkUniqueIDs()
        checkListeners()
        for connection in components.connections where connections[connection.id] == nil {
            connections[connection.id] = connection
        }
        for operation in components.operations where operations[operation.id] == nil {
            operations[operation.id] = operation
        }
        profiles = Set(components.profiles.map(\.id))
        maps = Set(components.maps.map(\.id))
        trackedFields = Set(components.trackedFields.map(\.name))

        for operation in components.operations {
            for binding in operation.tracking where !trackedFields.contains(binding.name) {
                report("tracked field '\(binding.name)' is not declared in processes/tracked-fields.xml"
                       + Suggestion.hint(for: binding.name, in: trackedFields),
                       at: binding.value.location)
            }
        }
        for map in components.maps {
            for (role, profile) in [("from", map.fromProfile), ("to", map.toProfile)] where isMissing(profile, in: profiles) {
                report("map '\(map.id)' refers to missing profile '\(profile)' (\(role))"
                       + Suggestion.hint(for: profile, in: profiles), at: map.location)
            }
        }
        for process in components.processes {
            checkReferences(of: process)
            var graph = ProcessGraph(process: process)
            diagnostics += graph.check()
        }
    }

    mutating func report(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(location, message))
    }

    private func isMissing(_ id: String, in known: Set<String>) -> Bool {
        !known.contains(id) && !components.invalidIDs.contains(id)
    }

    private mutating func checkUniqueIDs() {
        var first: [String: SourceLocation] = [:]
        for (id, location) in components.identifiedComponents {
            if let earlier = first[id] {
                report("duplicate id '\(id)'; first defined at \(earlier)", at: location)
            } else {
                first[id] = location
            }
        }
        var fields: [String: SourceLocation] = [:]
        for field in components.trackedFields {
            if let earlier = fields[field.name] {
                report("tracked field '\(field.name)' is declared twice; first declared at \(earlier)", at: field.location)
            } else {
                fields[field.name] = field.location
            }
        }
    }

    private mutating func checkReferences(of process: ProcessDefinition) {
        for shape in process.shapes {
            switch shape.kind {
            case .start(.connector(let connection, let operation), _), .connector(let connection, let operation, _):
                checkConnector(connection: connection, operation: operation, shape: shape)
            case .start(.changes(let capture), _):
                if let found = connections[capture.connection] {
                    if found.type != "postgresql" {
                        report("shape '\(shape.id)': <cdc> reads a postgresql connection, and connection "
                               + "'\(capture.connection)' has type '\(found.type)'", at: capture.location)
                    }
                } else if !components.invalidIDs.contains(capture.connection) {
                    report("shape '\(shape.id)' refers to missing connection '\(capture.connection)'"
                           + Suggestion.hint(for: capture.connection, in: connections.keys), at: capture.location)
                }
            case .map(let map, _):
                if isMissing(map, in: maps) {
                    report("shape '\(shape.id)' refers to missing map '\(map)'" + Suggestion.hint(for: map, in: maps),
                           at: shape.location)
                }
            case .processCall(let call, _):
                checkProcessCall(call, shape: shape)
            default:
                break
            }
        }
    }

    private mutating func checkProcessCall(_ call: ProcessCallDefinition, shape: ShapeDefinition) {
        guard let callee = components.processes.first(where: { $0.id == call.process }) else {
            if !components.invalidIDs.contains(call.process) {
                report("shape '\(shape.id)' calls missing process '\(call.process)'"
                       + Suggestion.hint(for: call.process, in: components.processes.map(\.id)), at: shape.location)
            }
            return
        }
        if let start = callee.startShape, case .start(let source, _) = start.kind, source != .input {
            report("shape '\(shape.id)' calls process '\(call.process)' whose start shape is not <input/>",
                   at: shape.location)
        }
    }

    private mutating func checkConnector(connection: String, operation: String, shape: ShapeDefinition) {
        let foundConnection = connections[connection]
        let foundOperation = operations[operation]
        if foundConnection == nil, !components.invalidIDs.contains(connection) {
            report("shape '\(shape.id)' refers to missing connection '\(connection)'"
                   + Suggestion.hint(for: connection, in: connections.keys), at: shape.location)
        }
        if foundOperation == nil, !components.invalidIDs.contains(operation) {
            report("shape '\(shape.id)' refers to missing operation '\(operation)'"
                   + Suggestion.hint(for: operation, in: operations.keys), at: shape.location)
        }
        if let foundConnection, let foundOperation, foundConnection.type != foundOperation.type {
            report("shape '\(shape.id)': operation '\(operation)' has type '\(foundOperation.type)'"
                   + " but connection '\(connection)' has type '\(foundConnection.type)'", at: shape.location)
        }
    }
}
