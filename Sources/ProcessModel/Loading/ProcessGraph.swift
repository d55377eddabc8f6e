/// The shape graph of one process: start shape, exits, reachability and cycles.
struct ProcessGraph {
    let process: ProcessDefinition
    private var diagnostics: [Diagnostic] = []
    /// The first shape with each id.
    private var shapes: [String: ShapeDefinition] = [:]

    init(process: ProcessDefinition) {
        self.process = process
    }

    /// Checks shape ids, the start shape, exits, reachability and cycles.
    mutating func check() -> [Diagnostic] {
        for shape in process.shapes {
            if let earlier = shapes[shape.id] {
                report("duplicate shape id '\(shape.id)' in process '\(process.id)'; first defined at \(earlier.location)",
                       at: shape.location)
            } else {
                shapes[shape.id] = shape
            }
        }
        let starts = process.shapes.filter { $0.elementName == "start" }
        if let first = starts.first {
            for extra in starts.dropFirst() {
                report("process '\(process.id)' has more than one start shape; first at \(first.location)",
                       at: extra.location)
            }
        } else {
            report("process '\(process.id)' has no start shape", at: process.location)
        }
        for shape in process.shapes {
            for exit in shape.exits where shapes[exit] == nil {
                report("exit '\(exit)' of shape '\(shape.id)' points to no shape" + Suggestion.hint(for: exit, in: shapes.keys),
                       at: shape.location)
            }
        }
        if let start = starts.first {
            let reached = reachable(from: start.id)
            for shape in process.shapes where !reached.contains(shape.id) {
                report("shape '\(shape.id)' is unreachable from the start shape", at: shape.location)
            }
        }
        findCycles(starting: starts.first)
        return diagnostics
    }

    private mutating func report(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(location, message))
    }

    private func reachable(from start: String) -> Set<String> {
        var seen: Set<String> = [start]
        var queue = [start]
        while let id = queue.popLast() {
            for exit in shapes[id]?.exits ?? [] where shapes[exit] != nil && !seen.contains(exit) {
                seen.insert(exit)
                queue.append(exit)
            }
        }
        return seen
    }

    private enum Mark { case visiting, done }

    /// Reports each cycle once, as found by a depth-first walk from the start shape,
    /// then from any shape not yet visited (in file order).
    private mutating func findCycles(starting start: ShapeDefinition?) {
        var marks: [String: Mark] = [:]
        var path: [String] = []
        let order = (start.map { [$0.id] } ?? []) + process.shapes.map(\.id)
        for id in order where marks[id] == nil {
            visit(id, marks: &marks, path: &path)
        }
    }

    private mutating func visit(_ id: String, marks: inout [String: Mark], path: inout [String]) {
        marks[id] = .visiting
        path.append(id)
        for exit in shapes[id]?.exits ?? [] where shapes[exit] != nil {
            switch marks[exit] {
            case .visiting:
                if let index = path.lastIndex(of: exit), let shape = shapes[exit] {
                    let members = path[index...]
                    let controlled = members.contains { shapes[$0]?.elementName == "flowControl" }
                    if !controlled {
                        let cycle = (members + [exit]).joined(separator: " → ")
                        report("shapes \(cycle) form a cycle without a flowControl shape", at: shape.location)
                    }
                }
            case .done:
                break
            case nil:
                visit(exit, marks: &marks, path: &path)
            }
        }
        path.removeLast()
        marks[id] = .done
    }
}
