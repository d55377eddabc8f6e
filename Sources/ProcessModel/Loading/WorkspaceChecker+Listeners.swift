extension WorkspaceChecker {
    /// Paths under this prefix belong to the host's REST API.
    static let reservedListenerPrefixes = ["/api/", "/reporting/"]
    /// The host's health, readiness and metrics endpoints.
    static let reservedListenerPaths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    /// Listener paths must be unique per method and stay out of the host's own paths.
    mutating func checkListeners() {
        var seen: [String: String] = [:]
        for process in components.processes {
            guard let listener = process.listener else { continue }
            let path = listener.path
            if let reserved = Self.reservedListenerPrefixes.first(where: { path.hasPrefix($0) || path + "/" == $0 }) {
                report("listener path '\(path)' is reserved by the host (paths starting with \(reserved))",
                       at: listener.location)
            }
            if Self.reservedListenerPaths.contains(path) {
                report("listener path '\(path)' is reserved by the host (its health, readiness and metrics endpoints)",
                       at: listener.location)
            }
            if path.contains("//") || path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) {
                report("listener path '\(path)' must not contain '//', '.' or '..' segments", at: listener.location)
            }
            let key = listener.method + " " + path
            if let other = seen[key] {
                report("listener \(key) is also used by process '\(other)'", at: listener.location)
            } else {
                seen[key] = process.id
            }
        }
    }
}
