import ProcessModel

/// Checks document paths against the profiles they address, when the workspace is loaded.
///
/// - A map's `<mapping from>` and `<arg from>` must be in its `from` profile, its `<mapping to>`
///   and `<default to>` in its `to` profile.
/// - In a process, documents leaving a map shape are of the map's `to` profile until a shape
///   changes them (connector, split, combine, message, process call); where every path into a
///   shape carries the same json or bigquery-table profile, the `profile` paths read there
///   (decisions, routes, setProperties, and the input tracking of a connector's operation) must be
///   in that profile.
///
/// Each problem is reported at the element that holds the path, with the closest declared path
/// as a "did you mean" when one is near. A path below an element of type `json` (or an object
/// without declared children) is accepted: the profile does not describe what lies there.
public enum ProfilePathChecker {
    /// Every path problem of `workspace`.
    public static func diagnostics(for workspace: Workspace) -> [Diagnostic] {
        var shapes: [String: ProfileShape] = [:]
        var ignored: [Diagnostic] = []
        for (id, profile) in workspace.profiles { shapes[id] = ProfileShape(profile, diagnostics: &ignored) }
        var diagnostics: [Diagnostic] = []
        for map in workspace.maps.values {
            diagnostics += check(map, source: shapes[map.fromProfile], target: shapes[map.toProfile])
        }
        for process in workspace.processes.values {
            diagnostics += check(process, workspace: workspace, shapes: shapes)
        }
        return diagnostics
    }

    // MARK: Maps

    private static func check(_ map: MapDefinition, source: ProfileShape?, target: ProfileShape?) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func verify(_ text: String?, in shape: ProfileShape?, role: String, at location: SourceLocation) {
            guard let text, let shape, let problem = problem(with: text, in: shape) else { return }
            diagnostics.append(Diagnostic(location, "map '\(map.id)': \(role) path \(problem)"))
        }
        for rule in map.mappings {
            verify(rule.from, in: source, role: "'from'", at: rule.location)
            if !rule.to.isEmpty { verify(rule.to, in: target, role: "'to'", at: rule.location) }
            for call in rule.functions {
                for case .path(let path) in call.arguments {
                    verify(path, in: source, role: "<arg from>", at: call.location)
                }
            }
        }
        for entry in map.defaults {
            verify(entry.to, in: target, role: "<default to>", at: entry.location)
        }
        return diagnostics
    }

    /// Why `text` is not a path of `shape` ("'/a/b' is not in profile 'p'; did you mean …?"), or nil when it is.
    static func problem(with text: String, in shape: ProfileShape) -> String? {
        // A malformed path is reported when the map is compiled; nothing to add here.
        guard let path = try? DocumentPath(text), !path.segments.isEmpty else { return nil }
        if covers(path, in: shape) { return nil }
        // A typo is one segment's: the budget of edits is a third of the last segment's length.
        let last = text.split(separator: "/").last.map(String.init) ?? text
        let hint = Suggestion.hint(for: text, in: declaredPaths(of: shape), maximumDistance: max(1, last.count / 3))
        return "'\(text)' is not in profile '\(shape.profileID)'" + hint
    }

    /// Whether the profile declares `path`, or one of its prefixes is a field whose contents it leaves open.
    private static func covers(_ path: DocumentPath, in shape: ProfileShape) -> Bool {
        if shape.lookup(path) != nil { return true }
        var segments = path.segments
        while segments.count > 1 {
            segments.removeLast()
            switch shape.lookup(DocumentPath(segments: segments)) {
            case .field(let field)?, .element(let field)?:
                return field.kind == .json || (field.kind.hasChildren && field.children.isEmpty)
            case nil:
                continue
            }
        }
        return false
    }

    /// Every path the profile declares, `*` standing for array elements.
    private static func declaredPaths(of shape: ProfileShape) -> [String] {
        var paths: [String] = []
        func walk(_ fields: [FieldShape], prefix: [DocumentPath.Segment]) {
            for field in fields {
                let here = prefix + [.key(field.name)]
                paths.append(DocumentPath(segments: here).text)
                let inside = field.repeated || field.kind == .array ? here + [.wildcard] : here
                walk(field.children, prefix: inside)
            }
        }
        walk(shape.fields, prefix: [])
        if shape.isRecords {
            let records = paths
            paths += records.map { "/*" + $0 }
        }
        return paths
    }

    // MARK: Processes

    /// What is known of the documents reaching a shape.
    private enum Known: Equatable {
        case profile(String)
        case unknown
    }

    private static func check(_ process: ProcessDefinition, workspace: Workspace,
                              shapes: [String: ProfileShape]) -> [Diagnostic] {
        let entering = profiles(entering: process, workspace: workspace)
        var diagnostics: [Diagnostic] = []
        for shape in process.shapes {
            guard case .profile(let id)? = entering[shape.id], let profile = workspace.profiles[id],
                  profile.type == .json || profile.type == .bigQueryTable, let known = shapes[id] else { continue }
            func verify(_ value: ValueDefinition, what: String) {
                for case .profile(let path) in value.parts {
                    if let problem = problem(with: path, in: known) {
                        diagnostics.append(Diagnostic(value.location, "shape '\(shape.id)': \(what) path \(problem)"))
                    }
                }
            }
            switch shape.kind {
            case .decision(let decision, _, _):
                verify(decision.left, what: "decision")
                verify(decision.right, what: "decision")
            case .route(let route):
                verify(ValueDefinition(parts: [route.on], location: shape.location), what: "route")
            case .setProperties(let assignments, _):
                for assignment in assignments { verify(assignment.value, what: "property '\(assignment.name)'") }
            case .connector(_, let operationID, _):
                guard let operation = workspace.operations[operationID], operation.trackingDirection == .input else { break }
                for binding in operation.tracking {
                    verify(binding.value, what: "tracked field '\(binding.name)' (operation '\(operation.id)')")
                }
            default:
                break
            }
        }
        return diagnostics
    }

    /// The profile of the documents entering each shape, where every way in agrees on one.
    private static func profiles(entering process: ProcessDefinition, workspace: Workspace) -> [String: Known] {
        var entering: [String: Known] = [:]
        var queue: [String] = process.startShape.map { [$0.id] } ?? []
        var byID: [String: ShapeDefinition] = [:]
        for shape in process.shapes where byID[shape.id] == nil { byID[shape.id] = shape }
        // Each shape's state only moves from absent to a profile to unknown, so this ends.
        while let id = queue.popLast() {
            guard let shape = byID[id] else { continue }
            let leaving: Known
            switch shape.kind {
            case .map(let mapID, _):
                leaving = workspace.maps[mapID].map { .profile($0.toProfile) } ?? .unknown
            case .setProperties, .decision, .branch, .route, .tryCatch, .notify, .flowControl:
                leaving = entering[id] ?? .unknown
            default:
                leaving = .unknown
            }
            for exit in shape.exits {
                let merged: Known
                switch entering[exit] {
                case nil: merged = leaving
                case let current?: merged = current == leaving ? current : .unknown
                }
                if entering[exit] != merged {
                    entering[exit] = merged
                    queue.append(exit)
                }
            }
        }
        return entering
    }
}
