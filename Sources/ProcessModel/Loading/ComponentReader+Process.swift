extension ComponentReader {
    /// Reads a `<process>` root element.
    mutating func process(_ root: ParsedElement) -> ProcessDefinition {
        let id = root.attribute("id") ?? ""
        let schedules = root.children(named: "schedule").map { element in
            let schedule = ScheduleDefinition(
                cron: element.attribute("cron") ?? "",
                timezone: element.attribute("timezone") ?? "UTC",
                retries: element.attribute("retries").flatMap { Int($0) } ?? 0,
                location: element.location
            )
            check(schedule, at: element)
            return schedule
        }
        let properties = (root.child("properties")?.children(named: "property") ?? []).map { element in
            ProcessPropertyDefinition(
                name: element.attribute("name") ?? "",
                value: element.attribute("value") ?? "",
                persist: element.bool("persist", default: false)
            )
        }
        var shapes: [ShapeDefinition] = []
        for element in root.child("shapes")?.children ?? [] {
            if let shape = shape(element) { shapes.append(shape) }
        }
        var definition = ProcessDefinition(
            id: id,
            name: root.attribute("name") ?? id,
            description: root.child("description")?.text ?? "",
            allowSimultaneous: root.bool("allowSimultaneous", default: false),
            stopIfNoDocuments: root.bool("stopIfNoDocuments", default: true),
            schedules: schedules,
            properties: properties,
            shapes: shapes,
            location: root.location
        )
        definition.listener = listener(in: root)
        readCapture(root, into: &definition)
        return definition
    }

    /// Reads `captureDocuments`, `captureLimit` and `retryFrom`.
    mutating func readCapture(_ root: ParsedElement, into definition: inout ProcessDefinition) {
        if let text = root.attribute("retryFrom") {
            if let start = RetryStart(rawValue: text) {
                definition.retryFrom = start
            } else {
                report("retryFrom must be 'shape' or 'start', not '\(text)'", at: root)
            }
        }
        if let text = root.attribute("captureDocuments") {
            if let mode = DocumentCaptureMode(rawValue: text) {
                definition.captureDocuments = mode
            } else {
                report("captureDocuments must be 'none', 'errors' or 'all', not '\(text)'", at: root)
            }
        }
        guard let text = root.attribute("captureLimit") else { return }
        guard let limit = SettingValues.size(text), limit > 0 else {
            report("captureLimit must be a size like 64KB, 1MB or a byte count above 0, not '\(text)'", at: root)
            return
        }
        guard limit <= DocumentCaptureMode.maximumLimit else {
            report("captureLimit '\(text)' is above the maximum of 16MB", at: root)
            return
        }
        definition.captureLimit = limit
    }

    /// Reads one child of `<shapes>`.
    mutating func shape(_ element: ParsedElement) -> ShapeDefinition? {
        let id = element.attribute("id") ?? ""
        let next = element.attribute("next") ?? ""
        let kind: ShapeKind
        switch element.name {
        case "start":
            guard let source = element.children.first else {
                report("<start> needs one of <connector>, <noData>, <input>, <listener>, <cdc>", at: element)
                return nil
            }
            switch source.name {
            case "connector":
                kind = .start(.connector(connection: source.attribute("connection") ?? "",
                                         operation: source.attribute("operation") ?? ""), next: next)
            case "noData":
                kind = .start(.noData, next: next)
            case "input", "listener":
                // A listener's request body is the start shape's one input document.
                kind = .start(.input, next: next)
            case "cdc":
                kind = .start(.changes(changeCapture(source)), next: next)
            default:
                report("unknown start source <\(source.name)>", at: source)
                return nil
            }
        case "connector":
            kind = .connector(connection: element.attribute("connection") ?? "",
                              operation: element.attribute("operation") ?? "", next: next)
        case "map":
            kind = .map(map: element.attribute("map") ?? "", next: next)
        case "setProperties":
            var assignments: [PropertyAssignment] = []
            for property in element.children(named: "property") {
                guard let scope = PropertyAssignment.Scope(rawValue: property.attribute("scope") ?? "") else {
                    report("<property> scope must be 'document' or 'process'", at: property)
                    continue
                }
                assignments.append(PropertyAssignment(scope: scope, name: property.attribute("name") ?? "",
                                                      value: value(in: property)))
            }
            kind = .setProperties(assignments, next: next)
        case "stop":
            kind = .stop(continue: element.bool("continue", default: true))
        default:
            guard let flowKind = flowShape(element, next: next) else { return nil }
            kind = flowKind
        }
        return ShapeDefinition(id: id, kind: kind, location: element.location)
    }
}
