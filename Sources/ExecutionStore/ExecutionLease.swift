import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A lock file held by the command that runs an execution, so that another command can tell an
/// execution that is still running from one whose command died (crash, SIGKILL, power loss).
///
/// The file is `<store>-running/<execution id>.lock` (see ``ExecutionStore/leaseDirectory``),
/// locked with `flock` and holding the owner's pid. The system releases the lock when the owner
/// exits, however it exits; ``ExecutionStore/abortOrphaned()`` then finds the lock free and marks
/// the execution `ABORTED`.
public final class ExecutionLease: Sendable {
    /// The lock file.
    public let path: String
    /// The open, locked descriptor; -1 once released. The mutex guards release against a second release.
    private let descriptor: Mutex<Int32>
    /// For a PostgreSQL store: the session holding the lease's advisory lock, and the lock's name.
    private let advisory: (session: PostgresLockSession, name: String)?

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
        self.advisory = nil
    }

    /// A lease held as an advisory lock of a PostgreSQL store (see ``PostgresLockSession``).
    init(session: PostgresLockSession, name: String) {
        self.path = name
        self.descriptor = Mutex(0)
        self.advisory = (session, name)
    }

    deinit { release() }

    /// Takes the lease of execution `executionID` in `directory`, creating the directory if needed.
    ///
    /// The file is locked under a temporary name and then renamed, so another command never sees
    /// a lease file that is not locked yet.
    public static func acquire(executionID: String, directory: String) throws(StoreError) -> ExecutionLease {
        let operation = "take the lease of execution \(executionID)"
        let path = directory + "/" + fileName(executionID)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(operation: operation, message: "cannot create the directory: \(error.localizedDescription)",
                             path: directory)
        }
        let temporary = directory + "/.\(getpid())-" + fileName(executionID) + ".tmp"
        let handle = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard handle >= 0 else {
            throw StoreError(operation: operation, message: String(cString: strerror(errno)), path: temporary)
        }
        guard flock(handle, LOCK_EX | LOCK_NB) == 0, rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            close(handle)
            throw StoreError(operation: operation, message: message, path: path)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { write(handle, $0.baseAddress, $0.count) }
        return ExecutionLease(path: path, descriptor: handle)
    }

    /// Removes the lock file and releases the lock; later calls do nothing.
    public func release() {
        descriptor.withLock { handle in
            guard handle >= 0 else { return }
            if let advisory {
                advisory.session.unlock(advisory.name)
                handle = -1
                return
            }
            unlink(path)
            flock(handle, LOCK_UN)
            close(handle)
            handle = -1
        }
    }

    /// Leaves the lease for the next command that opens the store to finish: writes `note` (why this
    /// command could not record the end of the execution) after the pid in the file, and releases
    /// the lock without removing the file. ``ExecutionStore/abortOrphaned(at:)`` then marks the
    /// execution `ERROR` with the note. The note overwrites the file in place (at most 2,000 bytes),
    /// so that it fits where the pid already is even on a full disk.
    ///
    /// A PostgreSQL lease has no file to keep the note in: it is released, and the next command
    /// marks the execution `ABORTED` (the store could not be written, so the note could not be either).
    public func abandon(note: String) {
        if advisory != nil { return release() }
        descriptor.withLock { handle in
            guard handle >= 0 else { return }
            let line = note.replacingOccurrences(of: "\n", with: " ")
            let text = Array("\(getpid())\n".utf8) + Array(line.utf8.prefix(2_000)) + [UInt8(ascii: "\n")]
            _ = text.withUnsafeBytes { pwrite(handle, $0.baseAddress, $0.count, 0) }
            _ = ftruncate(handle, off_t(text.count))
            flock(handle, LOCK_UN)
            close(handle)
            handle = -1
        }
    }

    /// The lease file name of an execution: its id with characters other than letters, digits,
    /// `-` and `_` replaced by `_`, and `.lock`.
    static func fileName(_ executionID: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        return String(executionID.map { allowed.contains($0) ? $0 : "_" }) + ".lock"
    }

    /// Whether the lease file at `path` is held by a live process now, changing nothing. (A lease
    /// file is locked before it gets its name, so a free one belongs to a command that is gone.)
    static func isHeld(path: String) -> Bool {
        let handle = open(path, O_RDWR | O_CLOEXEC)
        guard handle >= 0 else { return false }
        defer { close(handle) }
        guard flock(handle, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(handle, LOCK_UN)
        return false
    }

    /// Whether the lease file at `path` is held by a live process. When it is not, `ifFree` runs
    /// while this call holds the lock (so the owner cannot come back meanwhile) and the file is removed.
    static func checkHeld(path: String, ifFree: () throws -> Void) rethrows -> Bool {
        let handle = open(path, O_RDWR | O_CLOEXEC)
        guard handle >= 0 else { return false }
        defer { close(handle) }
        guard flock(handle, LOCK_EX | LOCK_NB) == 0 else { return true }
        try ifFree()
        unlink(path)
        flock(handle, LOCK_UN)
        return false
    }
}
