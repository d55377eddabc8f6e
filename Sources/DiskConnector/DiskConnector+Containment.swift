import Foundation

extension DiskConnector {
    /// Whether `path` stays inside `directory` once symbolic links are followed.
    ///
    /// The deepest existing part of each path is resolved with `realpath` (what does not exist yet
    /// cannot be a link) and the results compared, so a link inside the directory that points
    /// elsewhere does not let a file be read or written outside it.
    static func staysInside(_ path: String, directory: String) -> Bool {
        let standardized = { (text: String) in URL(fileURLWithPath: text).standardizedFileURL.path }
        guard let root = resolvedPath(standardized(directory)), let full = resolvedPath(standardized(path)) else {
            return false
        }
        return full == root || full.hasPrefix(root == "/" ? "/" : root + "/")
    }

    /// `path` (absolute, standardised) with every symbolic link in its existing part resolved.
    static func resolvedPath(_ path: String) -> String? {
        var existing = path
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing) {
            let parent = (existing as NSString).deletingLastPathComponent
            guard parent != existing, !parent.isEmpty else { return nil }
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = parent
        }
        guard let resolved = realpath(existing, nil) else { return nil }
        defer { free(resolved) }
        let base = String(cString: resolved)
        guard !rest.isEmpty else { return base }
        return (base == "/" ? "" : base) + "/" + rest.joined(separator: "/")
    }
}
