import Foundation

extension ComponentReader {
    /// Reads the shapes that shape the flow (all but start, connector, map, setProperties, stop).
    mutating func flowShape(_ element: ParsedElement, next: String) -> ShapeKind? {
        switch element.name {
        case "message":
            let definition = MessageDefinition(text: element.child("text")?.text ?? "",
                                               values: element.children(named: "value").map { single($0) })
            do { _ = try definition.parts() } catch {
                report("message text: \(error)", at: element.child("text") ?? element)
            }
            return .message(definition, next: next)
        case "decision":
            return decision(element)
        case "branch":
            return .branch(paths: element.children(named: "path").map { $0.attribute("next") ?? "" })
        case "route":
            return route(element)
        case "split":
            let by = element.attribute("by") ?? ""
            let path = element.attribute("path")
            if by == "xml-element" && (path ?? "").isEmpty {
                report("<split by=\"xml-element\"> needs a 'path' naming the repeating element", at: element)
            }
            return .split(SplitDefinition(by: by, path: path), next: next)
        case "combine":
            return .combine(into: element.attribute("into") ?? "", next: next)
        case "tryCatch":
            return .tryCatch(TryCatchDefinition(next: next, onError: element.attribute("onError") ?? "",
                                                retries: element.attribute("retries").flatMap { Int($0) } ?? 0))
        case "exception":
            return .exception(message: element.attribute("message") ?? "")
        case "notify":
            let level = NotifyDefinition.Level(rawValue: element.attribute("level") ?? "info") ?? .info
            return .notify(NotifyDefinition(level: level, message: element.attribute("message") ?? ""), next: next)
        case "processCall":
            return .processCall(ProcessCallDefinition(process: element.attribute("process") ?? "",
                                                      wait: element.bool("wait", default: true)), next: next)
        case "flowControl":
            let batchSize = element.attribute("batchSize").flatMap { Int($0) } ?? 1
            let threads = element.attribute("threads").flatMap { Int($0) } ?? 1
            if batchSize < 1 { report("<flowControl> batchSize must be at least 1", at: element) }
            if threads < 1 { report("<flowControl> threads must be at least 1", at: element) }
            return .flowControl(FlowControlDefinition(batchSize: max(1, batchSize), threads: max(1, threads)), next: next)
        case "returnDocuments":
            return .returnDocuments
        default:
            report("shape <\(element.name)> is not supported in this version", at: element)
            return nil
        }
    }

    /// A single `<value>` element (as a one-part value).
    private mutating func single(_ element: ParsedElement) -> ValueDefinition {
        ValueDefinition(parts: valueSource(element).map { [$0] } ?? [], location: element.location)
    }

    private mutating func decision(_ element: ParsedElement) -> ShapeKind? {
        let compare = element.child("compare")
        let op = DecisionDefinition.Operator(rawValue: compare?.attribute("op") ?? "") ?? .eq
        let type = DecisionDefinition.ValueType(rawValue: compare?.attribute("type") ?? "character") ?? .character
        let left = element.child("left").map { value(in: $0) } ?? ValueDefinition(parts: [], location: element.location)
        let right = element.child("right").map { value(in: $0) } ?? ValueDefinition(parts: [], location: element.location)
        let definition = DecisionDefinition(left: left, op: op, type: type, format: compare?.attribute("format"),
                                            right: right)
        let at = compare ?? element
        if op == .regex || op == .wildcard, type != .character {
            report("<compare op=\"\(op.rawValue)\"> compares text: use type=\"character\"", at: at)
        }
        if op == .regex, right.parts.allSatisfy({ if case .literal = $0 { true } else { false } }) {
            let pattern = right.parts.map { if case .literal(let text) = $0 { text } else { "" } }.joined()
            do { _ = try NSRegularExpression(pattern: pattern) } catch {
                report("<right> '\(pattern)' is not a valid regular expression", at: element.child("right") ?? at)
            }
        }
        if compare?.attribute("format") != nil, type != .datetime {
            report("<compare format=…> applies to type=\"datetime\" only", at: at)
        }
        return .decision(definition, onTrue: element.attribute("onTrue") ?? "",
                         onFalse: element.attribute("onFalse") ?? "")
    }

    private mutating func route(_ element: ParsedElement) -> ShapeKind {
        let onText = element.attribute("on") ?? ""
        let on = routeSource(onText) ?? .literal(onText)
        if routeSource(onText) == nil {
            report("route on=\"\(onText)\" must be document:NAME, profile:/PATH, process:NAME, execution:FIELD or env:NAME",
                   at: element)
        }
        let cases = element.children(named: "when").map {
            RouteDefinition.Case(value: $0.attribute("value") ?? "", next: $0.attribute("next") ?? "")
        }
        if cases.isEmpty { report("<route> needs at least one <when value=… next=…>", at: element) }
        let defaultNext = element.child("default")?.attribute("next")
        return .route(RouteDefinition(on: on, cases: cases, defaultNext: defaultNext))
    }

    /// A value source in attribute form: `document:type`, `profile:/a/b`, `process:name`, `execution:id`, `env:NAME`.
    private func routeSource(_ text: String) -> ValueSource? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon]
        let rest = String(text[text.index(after: colon)...])
        guard !rest.isEmpty else { return nil }
        switch kind {
        case "document": return .documentProperty(rest)
        case "profile": return .profile(path: rest)
        case "process": return .processProperty(rest)
        case "execution": return ExecutionField(rawValue: rest).map { .execution($0) }
        case "env": return .environment(rest)
        default: return nil
        }
    }
}
