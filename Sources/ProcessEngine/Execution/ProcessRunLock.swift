import ConveyorBase
import ExecutionModel
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on one process of a workspace, held by `conveyor run` and `conveyor serve`
/// while they run a process with `allowSimultaneous="false"`, so that no other command (another
/// `conveyor run`, a host, even another user's) runs it at the same time. The lock is an `flock`
/// on `<workspace>/.conveyor/locks/<process>.lock`, whose content names the holder (its pid and
/// the execution it runs); the system releases it when the command exits, however it exits, so a
/// crashed run never leaves a stale lock behind.
public final class ProcessRunLock: ProcessLockHold {
    /// Why the lock could not be taken.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// Another command holds the lock: the process is running now. `holder` is what the lock
        /// file says about it (`pid N, execution ID`), when it says anything.
        case alreadyRunning(processID: String, lockPath: String, holder: String?)
        /// The lock file could not be created or opened.
        case unavailable(lockPath: String, reason: String)

        public var description: String {
            switch self {
            case .alreadyRunning(let processID, let lockPath, let holder):
                "process '\(processID)' is already running (\(holder.map { $0 + "; " } ?? "")another command holds "
                    + "\(lockPath)) and does not allow simultaneous executions (allowSimultaneous=\"false\"); "
                    + "nothing was run or recorded"
            case .unavailable(let lockPath, let reason):
                "cannot lock \(lockPath): \(reason)"
            }
        }
    }

    /// The lock file.
    public let path: String
    /// The open, locked descriptor; -1 once released.
    private let descriptor: Mutex<Int32>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    deinit { release() }

    /// The lock file of a process: its id, with characters other than letters, digits, `-`, `_`
    /// and `.` replaced by `_`.
    public static func path(processID: String, workspaceRoot: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        var name = String(processID.map { allowed.contains($0) ? $0 : "_" })
        if name.hasPrefix(".") { name = "_" + name.dropFirst() }
        return workspaceRoot + "/.conveyor/locks/" + name + ".lock"
    }

    /// Takes the lock of a process without waiting; `executionID` (the execution the holder runs,
    /// when known) is written into the file for a refused command to name.
    public static func acquire(processID: String, workspaceRoot: String,
                               executionID: String? = nil) throws(Failure) -> ProcessRunLock {
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
            if code == EWOULDBLOCK {
                throw .alreadyRunning(processID: processID, lockPath: path, holder: holder(of: path))
            }
            throw .unavailable(lockPath: path, reason: String(cString: strerror(code)))
        }
        // The holder's pid and execution, for whoever is refused; the lock itself is the flock.
        let text = Array("\(getpid())\n\(executionID ?? "")\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } }
        return ProcessRunLock(path: path, descriptor: descriptor)
    }

    /// `pid N, execution ID` from a lock file, or nil when it names nobody.
    static func holder(of path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map { $0.trimming(.whitespaces) }
        guard let pid = lines.first, !pid.isEmpty, pid.allSatisfy(\.isNumber) else { return nil }
        let execution = lines.count > 1 && !lines[1].isEmpty ? ", execution \(lines[1])" : ""
        return "pid \(pid)\(execution)"
    }

    /// Releases the lock (the file stays, for the next run to lock); later calls do nothing.
    public func release() {
        descriptor.withLock { handle in
            guard handle >= 0 else { return }
            flock(handle, LOCK_UN)
            close(handle)
            handle = -1
        }
    }
}
