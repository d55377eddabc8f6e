import ProcessModel

/// The short texts a diagram shows for a shape: its detail line and the labels of its exits.
enum ShapeSummary {
    /// Details longer than this are cut with `…`.
    static let maximumDetail = 40
    /// Exit labels longer than this are cut with `…`.
    static let maximumLabel = 20

    /// One exit of a shape with its label.
    struct Exit: Equatable {
        var target: String
        var label: String
        var style: DiagramEdgeStyle
    }

    /// The exits of `shape` in the order ``ShapeDefinition/exits`` gives them, labelled.
    static func exits(of shape: ShapeDefinition) -> [Exit] {
        switch shape.kind {
        case .decision(_, let onTrue, let onFalse):
            return [Exit(target: onTrue, label: "true", style: .onTrue), Exit(target: onFalse, label: "false", style: .onFalse)]
        case .branch(let paths):
            return paths.enumerated().map { Exit(target: $0.element, label: "\($0.offset + 1)", style: .normal) }
        case .route(let route):
            return route.cases.map { Exit(target: $0.next, label: cut(quoted($0.value), maximumLabel), style: .normal) }
                + (route.defaultNext.map { [Exit(target: $0, label: "default", style: .fallback)] } ?? [])
        case .tryCatch(let definition):
            return [Exit(target: definition.next, label: "try", style: .normal),
                    Exit(target: definition.onError, label: "onError", style: .onError)]
        default:
            return shape.exits.map { Exit(target: $0, label: "", style: .normal) }
        }
    }

    /// A short description of what the shape does ("" when its kind says it all).
    static func detail(of shape: ShapeDefinition, process: ProcessDefinition) -> String {
        cut(fullDetail(of: shape, process: process), maximumDetail)
    }

    private static func fullDetail(of shape: ShapeDefinition, process: ProcessDefinition) -> String {
        switch shape.kind {
        case .start(let source, _):
            switch source {
            case .connector(let connection, let operation): return "\(connection) / \(operation)"
            case .noData: return "noData"
            case .input:
                if let listener = process.listener { return "listener \(listener.method) \(listener.path)" }
                return "input"
            case .changes(let capture): return "cdc \(capture.connection) slot \(capture.slot)"
            }
        case .connector(let connection, let operation, _): return "\(connection) / \(operation)"
        case .map(let map, _): return map
        case .setProperties(let assignments, _):
            return "set " + assignments.map { ($0.scope == .process ? "process:" : "") + $0.name }.joined(separator: ", ")
        case .message(let message, _): return quoted(message.text)
        case .decision(let decision, _, _):
            let type = decision.type == .character ? "" : " (\(decision.type.rawValue))"
            return "\(value(decision.left)) \(symbol(decision.op)) \(value(decision.right))\(type)"
        case .branch(let paths): return "\(paths.count) paths"
        case .route(let route): return "on \(source(route.on))"
        case .split(let split, _): return "by \(split.by)" + (split.path.map { " \($0)" } ?? "")
        case .combine(let into, _): return "into \(into)"
        case .tryCatch(let definition): return definition.retries > 0 ? "retries \(definition.retries)" : ""
        case .exception(let message): return quoted(message)
        case .notify(let notify, _): return "\(notify.level.rawValue): \(quoted(notify.message))"
        case .processCall(let call, _): return call.process + (call.wait ? "" : " (no wait)")
        case .flowControl(let flow, _):
            return "batch \(flow.batchSize)" + (flow.threads > 1 ? ", \(flow.threads) threads" : "")
        case .returnDocuments: return ""
        case .stop(let proceed): return proceed ? "" : "stops the execution"
        }
    }

    /// The comparison as a short operator.
    static func symbol(_ op: DecisionDefinition.Operator) -> String {
        switch op {
        case .eq: return "="
        case .ne: return "!="
        case .gt: return ">"
        case .ge: return ">="
        case .lt: return "<"
        case .le: return "<="
        case .regex: return "matches"
        case .wildcard: return "like"
        }
    }

    /// A value as a short text: its parts joined with `+`.
    static func value(_ value: ValueDefinition) -> String {
        value.parts.isEmpty ? "''" : value.parts.map(source).joined(separator: " + ")
    }

    /// One value source as a short text.
    static func source(_ source: ValueSource) -> String {
        switch source {
        case .literal(let text): return quoted(text)
        case .profile(let path): return path
        case .documentProperty(let name): return "document:\(name)"
        case .processProperty(let name): return "process:\(name)"
        case .execution(let field): return "execution:\(field.rawValue)"
        case .currentDate(let format): return "date:\(format)"
        case .environment(let name): return "env:\(name)"
        }
    }

    /// `'text'` with line breaks and tabs shown as spaces.
    static func quoted(_ text: String) -> String {
        "'" + text.map { $0.isNewline || $0 == "\t" ? " " : String($0) }.joined() + "'"
    }

    /// The text cut to `limit` characters, the last being `…` when it was longer.
    static func cut(_ text: String, _ limit: Int) -> String {
        let single = text.map { $0.isNewline ? " " : String($0) }.joined()
        guard single.count > limit else { return single }
        return String(single.prefix(limit - 1)) + "…"
    }
}
