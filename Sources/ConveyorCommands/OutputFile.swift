import ArgumentParser
import Foundation

/// A file a command writes with `--output`: never the execution store or its companions, and
/// written to a temporary file next to it that replaces it only once everything is written and
/// synced, so a failed command leaves an existing file as it was.
struct OutputFile {
    /// The resolved path the output replaces (a symbolic link is followed, not replaced).
    let path: String
    let temporaryPath: String
    let handle: FileHandle

    /// Refuses `requested` when it resolves to the store at `storePath` or its `-wal`, `-shm`,
    /// `-journal` or `-running` companions (usage error); creates the temporary file.
    init(_ requested: String, storePath: String) throws {
        let target = try Self.checkNotStore(requested, storePath: storePath)
        path = target
        let url = URL(fileURLWithPath: target)
        temporaryPath = url.deletingLastPathComponent().path + "/." + url.lastPathComponent
            + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            Terminal.error("error: cannot create \(requested)")
            throw ExitCode(1)
        }
        self.handle = handle
    }

    /// The resolved `requested` path; a usage error when it is the store at `storePath` or one
    /// of its `-wal`, `-shm`, `-journal` or `-running` companions (through `..` and links).
    static func checkNotStore(_ requested: String, storePath: String) throws -> String {
        let target = resolved(requested)
        let store = resolved(storePath)
        let protected = ["", "-wal", "-shm", "-journal", "-running"].map { resolved(store + $0) }
        if protected.contains(target) || sameFile(target, storePath) {
            throw ValidationError("--output \(requested) is the execution store (\(storePath)) or one of its files; "
                + "choose another path")
        }
        return target
    }

    /// Syncs the temporary file to disk and renames it over the target.
    func commit() throws {
        try handle.synchronize()
        try handle.close()
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            Terminal.error("error: cannot write \(path): \(reason)")
            throw ExitCode(1)
        }
    }

    /// Removes the temporary file; the target is untouched.
    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }

    /// The absolute path with every symbolic link resolved; a file that does not exist yet is
    /// resolved through its directory.
    static func resolved(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let url = URL(fileURLWithPath: absolute).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        guard parent != url.path else { return url.path }
        return resolved(parent) + "/" + url.lastPathComponent
    }

    /// Whether both paths exist and are the same file (a hard link included).
    static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat(), b = stat()
        guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
