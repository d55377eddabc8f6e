import ArgumentParser
import ExecutionStore
import Foundation
import HostService
import ProcessModel

/// `conveyor schedules`: the processes' schedules and when each fires next.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "List the processes' schedules and their next fire times.",
        discussion: """
            A schedule that should have fired while no host was running shows 'now (missed)': \
            `conveyor serve` runs it once when it starts.
            """
    )

    @Option(name: .long, help: "How many upcoming fire times to show per schedule.")
    var count = 1

    @OptionGroup var options: WorkspaceOptions
    @OptionGroup var extensions: ExtensionsOption

    func run() async throws {
        let workspace = try options.loadWorkspace(extensions: extensions.extensions)
        let jobs = ScheduledJob.jobs(in: workspace)
        guard !jobs.isEmpty else {
            Terminal.line("no schedules in workspace \(workspace.root)")
            return
        }
        let store = options.storeIsPostgres || FileManager.default.fileExists(atPath: options.storePath) ? try options.openStore() : nil
        let now = Date()
        var rows = [["PROCESS", "CRON", "TIMEZONE", "RETRIES", "NEXT (local)", "NEXT (UTC)"]]
        for job in jobs {
            let last = try store.flatMap { try $0.lastFire(scheduleKey: job.key) }
            var cursor = now
            if let last, let due = job.nextFire(after: last), due <= now {
                rows.append([job.processID, job.schedule.cron, job.schedule.timezone, "\(job.schedule.retries)",
                             "now (missed)", Self.format(due, in: TimeZone(identifier: "UTC") ?? job.timeZone)])
            }
            for _ in 0..<max(1, count) {
                guard let next = job.nextFire(after: cursor) else {
                    rows.append([job.processID, job.schedule.cron, job.schedule.timezone, "\(job.schedule.retries)",
                                 "never", "never"])
                    break
                }
                rows.append([job.processID, job.schedule.cron, job.schedule.timezone, "\(job.schedule.retries)",
                             Self.format(next, in: job.timeZone),
                             Self.format(next, in: TimeZone(identifier: "UTC") ?? job.timeZone)])
                cursor = next
            }
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Terminal.line(row.enumerated().map { column, text in
                column == row.count - 1 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  "))
        }
    }

    /// `2026-03-29 03:00 CEST`.
    static func format(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }
}
