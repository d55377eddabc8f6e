import Foundation

extension ComponentReader {
    /// Reports a schedule whose cron expression or time zone is invalid.
    mutating func check(_ schedule: ScheduleDefinition, at element: ParsedElement) {
        do {
            _ = try CronExpression(schedule.cron)
        } catch {
            report("<schedule> \(error)", at: element)
        }
        if TimeZone(identifier: schedule.timezone) == nil {
            report("<schedule> timezone '\(schedule.timezone)' is not an IANA time zone (such as UTC or Europe/Paris)",
                   at: element)
        }
    }

    /// The listener of the process's start shape, when it has one.
    func listener(in root: ParsedElement) -> ListenerDefinition? {
        guard let start = root.child("shapes")?.children(named: "start").first,
              let element = start.child("listener") else { return nil }
        return ListenerDefinition(path: element.attribute("path") ?? "/",
                                  method: (element.attribute("method") ?? "POST").uppercased(),
                                  location: element.location)
    }
}
