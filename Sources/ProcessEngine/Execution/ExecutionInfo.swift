import ConveyorBase
import Foundation

/// What triggered an execution.
public enum Trigger: String, Sendable, CaseIterable {
    case manual, schedule, listener, subprocess, retry
    /// A host's micro-batch of a `<cdc>` start shape.
    case changes
}

/// The identity of a running execution, readable by values and interpolation.
public struct ExecutionInfo: Sendable {
    public var id: String
    public var processID: String
    public var processName: String
    public var startTime: Date
    public var trigger: Trigger
    /// The execution whose processCall shape started this one (trigger `subprocess`).
    public var parentExecutionID: String?

    public init(id: String, processID: String, processName: String, startTime: Date, trigger: Trigger,
                parentExecutionID: String? = nil) {
        self.id = id
        self.processID = processID
        self.processName = processName
        self.startTime = startTime
        self.trigger = trigger
        self.parentExecutionID = parentExecutionID
    }

    /// A new execution id: sortable by time, unique (`ex-20261121T120000Z-1a2b3c4d`).
    public static func newID(at date: Date = Date()) -> String {
        // Whole seconds in RFC 3339 (`2026-11-21T12:00:00Z`) without its separators; formatted
        // here rather than by a date formatter, whose set-up costs every run a few milliseconds.
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        let stamp = RFC3339.text(micros: seconds * 1_000_000, fraction: .microsecondsUnlessZero)
            .filter { $0 != "-" && $0 != ":" }
        let random = UInt32.random(in: 0...UInt32.max)
        let hex = String(random, radix: 16)
        return "ex-\(stamp)-\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }
}

extension ISO8601DateFormatter {
    /// `2026-11-21T12:00:00.123Z`.
    static var internetUTC: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
