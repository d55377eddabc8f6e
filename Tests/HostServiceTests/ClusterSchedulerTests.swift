import ExecutionStore
import Foundation
import HostService
import Logging
import ProcessEngine
import ProcessModel
import TestSupport
import Testing

/// Three hosts' schedulers on one PostgreSQL store: each slot fires once across them.
@Suite struct ClusterSchedulerTests {
    func date(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    func cluster(_ name: String, url: String) throws -> Scheduler {
        let store = try ExecutionStore(path: url)
        let schedule = ScheduleDefinition(cron: "* * * * *", timezone: "UTC", retries: 1, location: TestHost.here)
        let workspace = TestHost.workspace(schedules: [schedule])
        let host = TestHost.host(workspace, store: store)
        let cluster = ClusterService(hostID: name, store: store, host: host, logger: Logger(label: "test"), workers: 2)
        return Scheduler(host: host, store: store, logger: Logger(label: "test"), retryDelay: .zero, cluster: cluster)
    }

    @Test func everySlotFiresOnceWhileHostsComeAndGo() async throws {
        let url = try TestPostgres.createDatabase(prefix: "schedslots")
        defer { TestPostgres.dropDatabase(url) }
        let schedulers = try (1...3).map { try cluster("h\($0)", url: url) }
        let start = try date("2026-03-01T10:00:00Z")
        // Three minutes of ticks every 2 seconds; each host is "down" (does not tick) for its own
        // stretch, and all three tick at once whenever they are up, racing for each slot.
        var generator = SystemRandomNumberGenerator()
        for step in 0...90 {
            let now = start.addingTimeInterval(Double(step) * 2 + Double.random(in: 0..<0.5, using: &generator))
            let down = step / 30  // h1 down in the first minute, h2 in the second, h3 in the third
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, scheduler) in schedulers.enumerated() where index != down {
                    group.addTask { _ = try scheduler.tick(at: now) }
                }
                try await group.waitForAll()
            }
        }
        // Slots 10:01, 10:02 and 10:03 fired once each (the first tick only started the count).
        let queued = try TestPostgres.psql(url, "SELECT trigger, process_id FROM work_queue ORDER BY id")
            .split(separator: "\n").map(String.init)
        #expect(queued == ["schedule|slow", "schedule|fail", "schedule|slow", "schedule|fail", "schedule|slow", "schedule|fail"]
                || queued.sorted() == Array(repeating: "schedule|fail", count: 3) + Array(repeating: "schedule|slow", count: 3),
                "\(queued)")
        let fires = try TestPostgres.psql(url, "SELECT last_fire FROM schedule_fires ORDER BY schedule_key")
            .split(separator: "\n").map(String.init)
        #expect(fires.count == 2)
        #expect(fires.allSatisfy { $0.hasPrefix("2026-03-01T10:03:") }, "\(fires)")
    }
}
