import ExecutionStore
import Foundation
import HostService
import Logging
import Synchronization
import Testing

/// Collects log lines in memory.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func logger() -> Logger {
        var logger = Logger(label: "test") { _ in CapturingHandler(log: self) }
        logger.logLevel = .info
        return logger
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            log.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
        }
    }
}

@Suite struct RetentionTimerTests {
    /// A store with executions that started `ages` days before `now`.
    static func store(now: Date, ages: [Double]) throws -> ExecutionStore {
        let store = try TestHost.store()
        for (number, age) in ages.enumerated() {
            let started = now.addingTimeInterval(-age * 86_400)
            var execution = ExecutionRecord(id: "ex-\(number)", processID: "p", processName: "P", trigger: "schedule",
                                            startTime: started)
            try store.insert(execution)
            try store.record(documents: [DocumentRecord(executionID: execution.id, shapeID: "s", direction: "input",
                                                        index: 0, trackedValues: [TrackedValue(name: "id", value: "\(number)")],
                                                        recordedAt: started)])
            execution.status = .complete
            try store.update(execution)
        }
        return store
    }

    @Test func purgesOnStartAndThenEveryInterval() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let store = try Self.store(now: start, ages: [200, 95, 89, 10])
        let clock = Mutex(start)
        let log = CapturedLog()
        let timer = RetentionTimer(retention: try #require(RetentionPeriod("90d")), store: store, logger: log.logger(),
                                   interval: .milliseconds(100), now: { clock.withLock { $0 } })
        let task = Task { await timer.run() }
        defer { task.cancel() }
        // The first purge runs at once: executions 200 and 95 days old go. The purge is logged once
        // it has ended (after its rows are gone), so the test waits for the line too.
        for _ in 0..<1_000 where try store.execution(id: "ex-1") != nil || !log.text.contains("retention purge") {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try store.execution(id: "ex-0") == nil)
        #expect(try store.execution(id: "ex-1") == nil)
        #expect(try store.execution(id: "ex-2") != nil)
        #expect(log.text.contains("retention purge"))
        #expect(log.text.contains("executions=2"))
        #expect(log.text.contains("records=2"))
        // Two days later the 89-day-old execution is past the period; the next tick purges it.
        clock.withLock { $0 = start.addingTimeInterval(2 * 86_400) }
        for _ in 0..<1_000 where try store.execution(id: "ex-2") != nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try store.execution(id: "ex-2") == nil)
        #expect(try store.execution(id: "ex-3") != nil)
        #expect(try store.verifyChain().isIntact)
        #expect(try store.auditCheckpoints().count >= 2)
    }

    @Test func aPurgeWithNothingOldStillRecordsACheckpoint() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let store = try Self.store(now: now, ages: [1])
        let log = CapturedLog()
        let timer = RetentionTimer(retention: try #require(RetentionPeriod("12h")), store: store, logger: log.logger(),
                                   now: { now })
        let checkpoint = try #require(timer.purgeOnce())
        #expect(checkpoint.executionsPurged == 1)
        let again = try #require(timer.purgeOnce())
        #expect(again.executionsPurged == 0)
        #expect(again.id == checkpoint.id + 1)
        #expect(log.text.contains("cutoff=2027-01-14T20:00:00.000Z"))
        #expect(log.text.contains("checkpoint=2"))
    }
}
