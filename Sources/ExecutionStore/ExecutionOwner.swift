import ConveyorBase
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command running an execution: its machine, the machine's boot, its pid and the time the
/// process started (so a later process given the same pid is not taken for it).
///
/// Stored with the execution (column `owner`). The ``ExecutionLease`` file tells a live command
/// from a dead one; when that file was removed while the command ran, the owner still does.
public struct ExecutionOwner: Sendable, Hashable {
    /// The host name.
    public var host: String
    /// The boot id of the machine (`/proc/sys/kernel/random/boot_id`).
    public var boot: String
    /// The process id.
    public var pid: Int32
    /// When the process started, in clock ticks after boot (`/proc/PID/stat`, field 22).
    public var start: String

    /// Creates an owner.
    public init(host: String, boot: String, pid: Int32, start: String) {
        self.host = host
        self.boot = boot
        self.pid = pid
        self.start = start
    }

    /// The stored form: `host|boot|pid|start`.
    public var text: String { "\(host)|\(boot)|\(pid)|\(start)" }

    /// Reads the stored form; nil when it is not one.
    public init?(text: String) {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let pid = Int32(parts[2]), pid > 0 else { return nil }
        self.init(host: parts[0], boot: parts[1], pid: pid, start: parts[3])
    }

    /// This process; nil where `/proc` does not tell the boot id and start time.
    public static var current: ExecutionOwner? {
        let pid = getpid()
        guard let boot = bootID, let start = startTime(of: pid) else { return nil }
        return ExecutionOwner(host: hostName, boot: boot, pid: pid, start: start)
    }

    /// True when the owner certainly no longer runs: it ran on this machine and either the machine
    /// rebooted since, or no process with its pid and start time exists. An owner on another
    /// machine is never taken for gone.
    public var isGone: Bool {
        guard host == Self.hostName, let boot = Self.bootID else { return false }
        guard boot == self.boot else { return true }
        guard let start = Self.startTime(of: pid) else { return kill(pid, 0) != 0 && errno == ESRCH }
        return start != self.start
    }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static var bootID: String? {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimming(.whitespacesAndNewlines)
    }

    /// Field 22 of `/proc/PID/stat` (the fields after the command name, which may hold spaces,
    /// start at field 3); nil when there is no such process.
    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }
        return String(fields[19])
    }
}
