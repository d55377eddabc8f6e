import ExecutionStore
import Foundation
import HostService
import Logging
import ProcessEngine
import ProcessModel
import Testing

@Suite struct SchedulerTests {
    func date(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    func scheduler(cron: String = "*/15 * * * *", retries: Int = 0, slow: Int = 0,
                   store: ExecutionStore) -> Scheduler {
        let schedule = ScheduleDefinition(cron: cron, timezone: "UTC", retries: retries, location: TestHost.here)
        let workspace = TestHost.workspace(schedules: [schedule], slowMilliseconds: slow)
        return Scheduler(host: TestHost.host(workspace, store: store), store: store, logger: Logger(label: "test"),
                         retryDelay: .zero)
    }

    @Test func firstTickRecordsNowAndMissedSlotsRunOnce() async throws {
        let store = try TestHost.store()
        let scheduler = scheduler(store: store)
        #expect(try scheduler.tick(at: try date("2026-01-01T10:07:00Z")).isEmpty)
        #expect(try scheduler.tick(at: try date("2026-01-01T10:14:59Z")).isEmpty)
        // The host was down from 10:07 to 13:00: eleven slots missed, one run per schedule.
        let fired = try scheduler.tick(at: try date("2026-01-01T13:00:30Z"))
        #expect(fired.map(\.job.processID).sorted() == ["fail", "slow"])
        for run in fired { _ = await run.task.value }
        #expect(try scheduler.tick(at: try date("2026-01-01T13:05:00Z")).isEmpty)
        #expect(try scheduler.tick(at: try date("2026-01-01T13:15:00Z")).count == 2)

        // A new scheduler over the same store (a restarted host) keeps the last fire time.
        let restarted = self.scheduler(store: store)
        let job = try #require(restarted.jobs.first { $0.processID == "slow" })
        #expect(try restarted.nextFire(of: job, after: try date("2026-01-02T00:00:00Z")) == (try date("2026-01-01T13:30:00Z")))
        #expect(try restarted.tick(at: try date("2026-01-02T00:00:00Z")).count == 2)
    }

    @Test func failedExecutionIsRetriedWithTriggerRetry() async throws {
        let store = try TestHost.store()
        let scheduler = scheduler(retries: 2, store: store)
        _ = try scheduler.tick(at: try date("2026-01-01T10:00:00Z"))
        let fired = try scheduler.tick(at: try date("2026-01-01T10:15:00Z"))
        let failing = try #require(fired.first { $0.job.processID == "fail" })
        #expect(await failing.task.value == [.error, .error, .error])
        let passing = try #require(fired.first { $0.job.processID == "slow" })
        #expect(await passing.task.value == [.complete])
        let executions = try store.executions(matching: ExecutionQuery(processID: "fail"))
        #expect(executions.map(\.trigger).sorted() == ["retry", "retry", "schedule"])
    }

    @Test func noOverlapWhileTheProcessRuns() async throws {
        let store = try TestHost.store()
        let scheduler = scheduler(cron: "* * * * *", slow: 1_000, store: store)
        _ = try scheduler.tick(at: try date("2026-01-01T10:00:00Z"))
        let first = try scheduler.tick(at: try date("2026-01-01T10:01:00Z"))
        let slow = try #require(first.first { $0.job.processID == "slow" })
        for _ in 0..<100 where try store.executions(matching: ExecutionQuery(processID: "slow")).isEmpty {
            try await Task.sleep(for: .milliseconds(10))
        }
        let second = try scheduler.tick(at: try date("2026-01-01T10:02:00Z"))
        #expect(!second.contains { $0.job.processID == "slow" })
        #expect(await slow.task.value == [.complete])
        #expect(try store.executions(matching: ExecutionQuery(processID: "slow")).count == 1)
    }

    @Test func crashedExecutionsAreAbortedOnStart() async throws {
        let store = try TestHost.store()
        try store.insert(ExecutionRecord(id: "ex-left", processID: "slow", processName: "slow", trigger: "listener",
                                         startTime: Date()))
        let server = HostServer(configuration: HostConfiguration(authentication: .none),
                                host: TestHost.host(TestHost.workspace(), store: store), store: store,
                                logger: Logger(label: "test"))
        #expect(try HostLifecycle(server: server, scheduler: nil).recoverCrashedExecutions() == ["ex-left"])
        let record = try #require(try store.execution(id: "ex-left"))
        #expect(record.status == .aborted)
        #expect(record.endTime != nil)
    }

    @Test func byteSizesAndDurations() throws {
        #expect(try HostConfiguration.byteSize("10MB") == 10 * 1024 * 1024)
        #expect(try HostConfiguration.byteSize("512kb") == 512 * 1024)
        #expect(try HostConfiguration.byteSize("2048") == 2048)
        #expect(throws: HostConfigurationError.self) { try HostConfiguration.byteSize("ten") }
        #expect(try HostConfiguration.duration("30s") == .seconds(30))
        #expect(try HostConfiguration.duration("2m") == .seconds(120))
        #expect(throws: HostConfigurationError.self) { try HostConfiguration.duration("soon") }
    }
}
