extension ComponentReader {
    /// Reads a `<connection>` root element; all of it is kept as the settings tree.
    mutating func connection(_ root: ParsedElement) -> ConnectionDefinition {
        ConnectionDefinition(id: root.attribute("id") ?? "", type: root.attribute("type") ?? "",
                             settings: settings(root), location: root.location)
    }

    /// Reads an `<operation>` root element; `<tracking>` is moved out of the settings tree.
    mutating func operation(_ root: ParsedElement) -> OperationDefinition {
        let type = root.attribute("type") ?? ""
        let action = root.attribute("action") ?? ""
        if let allowed = ComponentReader.actions[type], !allowed.contains(action) {
            report("action '\(action)' is not an action of type '\(type)'; expected one of: "
                   + allowed.joined(separator: ", "), at: root)
        }
        let trackingBlocks = root.children(named: "tracking")
        for extra in trackingBlocks.dropFirst() {
            report("an operation has at most one <tracking> block", at: extra)
        }
        var direction = TrackingDirection.input
        var bindings: [TrackedFieldBinding] = []
        if let tracking = trackingBlocks.first {
            direction = TrackingDirection(rawValue: tracking.attribute("direction") ?? "input") ?? .input
            for field in tracking.children(named: "field") {
                bindings.append(TrackedFieldBinding(name: field.attribute("name") ?? "", value: value(in: field)))
            }
        }
        return OperationDefinition(id: root.attribute("id") ?? "", type: type, action: action,
                                   settings: settings(root, excluding: ["tracking"]),
                                   trackingDirection: direction, tracking: bindings, location: root.location)
    }

    /// The actions of each operation type, in the order the format lists them.
    static let actions: [String: [String]] = [
        "google-bigquery": ["streaming-insert", "run-job", "get-query-results", "update", "upsert-data"],
        "disk": ["get", "send"],
        "postgresql": ["query", "execute"],
        "http": ["send"],
    ]
}
