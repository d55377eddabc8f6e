import Foundation
import ProcessModel

/// One `<schedule>` of one process, parsed and ready to compute fire times.
public struct ScheduledJob: Sendable, Hashable {
    /// The process the schedule runs.
    public var processID: String
    /// The schedule as written.
    public var schedule: ScheduleDefinition
    /// The parsed cron expression.
    public var cron: CronExpression
    /// The time zone the cron fields are read in.
    public var timeZone: TimeZone

    /// Identifies the schedule across restarts; a changed cron or time zone is a new schedule.
    public var key: String { "\(processID)|\(schedule.cron)|\(schedule.timezone)" }

    /// The first fire time strictly after `date`.
    public func nextFire(after date: Date) -> Date? { cron.nextFire(after: date, in: timeZone) }

    /// The schedules of every process in the workspace, sorted by process id; schedules whose
    /// cron or time zone is invalid (reported when loading) are left out.
    public static func jobs(in workspace: Workspace) -> [ScheduledJob] {
        var jobs: [ScheduledJob] = []
        for process in workspace.processes.values.sorted(by: { $0.id < $1.id }) {
            for schedule in process.schedules {
                guard let cron = try? CronExpression(schedule.cron),
                      let zone = TimeZone(identifier: schedule.timezone) else { continue }
                let job = ScheduledJob(processID: process.id, schedule: schedule, cron: cron, timeZone: zone)
                if !jobs.contains(where: { $0.key == job.key }) { jobs.append(job) }
            }
        }
        return jobs
    }
}
