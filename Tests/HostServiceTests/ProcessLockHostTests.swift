import ExecutionStore
import Foundation
import HostService
import Logging
import ProcessEngine
import ProcessModel
import Testing

/// A host whose runner has a `processLockRoot` takes the lock `conveyor run` takes: while another
/// holder has it, a schedule skips its slot and a trigger is refused, running and recording nothing.
@Suite struct ProcessLockHostTests {
    func host(store: ExecutionStore, root: String, schedules: [ScheduleDefinition] = []) -> ExecutionHost {
        var runner = ProcessRunner(workspace: TestHost.workspace(schedules: schedules, slowMilliseconds: 0),
                                   connectors: ConnectorRegistry([SlowConnector()]),
                                   recorder: TestRecorder(store: store), environment: [:])
        runner.processLockRoot = root
        return ExecutionHost(runner: runner, logger: Logger(label: "test"))
    }

    @Test func aScheduleSkipsItsSlotWhileAnotherCommandHoldsTheLock() async throws {
        let store = try TestHost.store()
        let root = NSTemporaryDirectory() + "lock-host-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let schedule = ScheduleDefinition(cron: "*/15 * * * *", timezone: "UTC", retries: 2, location: TestHost.here)
        let scheduler = Scheduler(host: host(store: store, root: root, schedules: [schedule]), store: store,
                                  logger: Logger(label: "test"), retryDelay: .zero)
        let start = try #require(ISO8601DateFormatter().date(from: "2026-01-01T10:00:00Z"))
        _ = try scheduler.tick(at: start)
        // What `conveyor run slow` holds while it runs (a lock of another open file counts as another command).
        let held = try ProcessRunLock.acquire(processID: "slow", workspaceRoot: root, executionID: "ex-cli")
        let fired = try scheduler.tick(at: start.addingTimeInterval(15 * 60))
        let slow = try #require(fired.first { $0.job.processID == "slow" })
        #expect(await slow.task.value == [], "the slot is skipped, not retried")
        #expect(try store.executions(matching: ExecutionQuery(processID: "slow")).isEmpty)

        held.release()
        let next = try scheduler.tick(at: start.addingTimeInterval(30 * 60))
        let ran = try #require(next.first { $0.job.processID == "slow" })
        #expect(await ran.task.value == [.complete])
    }

    @Test func aTriggerIsRefusedNamingTheHolder() async throws {
        let store = try TestHost.store()
        let root = NSTemporaryDirectory() + "lock-host-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let host = host(store: store, root: root)
        let held = try ProcessRunLock.acquire(processID: "echo", workspaceRoot: root, executionID: "ex-cli")
        guard case .runningElsewhere(let message) = await host.run(processID: "echo", trigger: .listener) else {
            Issue.record("the execution ran while another command held the lock")
            return
        }
        #expect(message.contains("execution ex-cli"))
        #expect(message.contains("pid \(getpid())"))
        guard case .failure(let refusal) = host.start(processID: "echo", trigger: .manual),
              case .runningElsewhere = refusal.outcome else {
            Issue.record("a background start went ahead while another command held the lock")
            return
        }
        #expect(host.runningExecutionIDs.isEmpty)
        held.release()
        guard case .finished(let execution, _) = await host.run(processID: "echo", trigger: .listener) else {
            Issue.record("the lock is free again")
            return
        }
        #expect(execution.status == .complete)
        #expect(try store.executions(matching: ExecutionQuery()).count == 1)
    }
}
