import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on one process of a workspace, held by `conveyor run` for a process with
/// `allowSimultaneous="false"`, so that a second `conveyor run` of it (another command, even
/// another user's) refuses to start. The lock is an `flock` on
/// `<workspace>/.conveyor/locks/<process>.lock`; the system releases it when the command exits,
/// however it exits, so a crashed run never leaves a stale lock behind.
final class ProcessRunLock {
    /// Why the lock could not be taken.
    enum Failure: Error, CustomStringConvertible {
        /// Another command holds the lock: the process is running now.
        case alreadyRunning(processID: String, lockPath: String)
        /// The lock file could not be created or opened.
        case unavailable(lockPath: String, reason: String)

        var description: String {
            switch self {
            case .alreadyRunning(let processID, let lockPath):
                "process '\(processID)' is already running (another command holds \(lockPath)) and does not allow "
                    + "simultaneous executions (allowSimultaneous=\"false\"); nothing was run or recorded"
            case .unavailable(let lockPath, let reason):
                "cannot lock \(lockPath): \(reason)"
            }
        }
    }

    /// The lock file.
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// The lock file of a process: its id, with characters other than letters, digits, `-`, `_`
    /// and `.` replaced by `_`.
    static func path(processID: String, workspaceRoot: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        var name = String(processID.map { allowed.contains($0) ? $0 : "_" })
        if name.hasPrefix(".") { name = "_" + name.dropFirst() }
        return workspaceRoot + "/.conveyor/locks/" + name + ".lock"
    }

    /// Takes the lock of a process without waiting.
    static func acquire(processID: String, workspaceRoot: String) throws(Failure) -> ProcessRunLock {
        let path = path(processID: processID, workspaceRoot: workspaceRoot)
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unavailable(lockPath: path, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .unavailable(lockPath: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw .alreadyRunning(processID: processID, lockPath: path) }
            throw .unavailable(lockPath: path, reason: String(cString: strerror(code)))
        }
        // The holder's pid, for whoever looks at the file; the lock itself is the flock.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = pid.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
        return ProcessRunLock(path: path, descriptor: descriptor)
    }

    /// Releases the lock (the file stays, for the next run to lock).
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
