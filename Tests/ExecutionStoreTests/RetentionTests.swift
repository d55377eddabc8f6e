import Foundation
import Testing
@testable import ExecutionStore

@Suite struct RetentionTests {
    @Test func retentionPeriodsParse() {
        #expect(RetentionPeriod("90d")?.seconds == Int64(90 * 86_400))
        #expect(RetentionPeriod("12h")?.seconds == Int64(12 * 3600))
        #expect(RetentionPeriod("30m")?.seconds == 1800)
        #expect(RetentionPeriod("14d")?.description == "2w")
        #expect(RetentionPeriod("90") == nil)
        #expect(RetentionPeriod("0d") == nil)
        #expect(RetentionPeriod("-3d") == nil)
        #expect(RetentionPeriod("d") == nil)
        #expect(RetentionPeriod("99999999999999999w") == nil)
        let now = date(100 * 86_400_000)
        #expect(RetentionPeriod("90d")?.cutoff(before: now) == date(10 * 86_400_000))
    }

    @Test func purgeDeletesOldExecutionsAndTheChainStillVerifies() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("old-1", startedAt: 1_000)
        try fixture.addExecution("old-2", startedAt: 2_000, documents: 2)
        try fixture.addExecution("new-1", startedAt: 50_000)
        let before = try fixture.store.verifyChain()

        let checkpoint = try fixture.store.purge(startedBefore: date(10_000), now: date(60_000))
        #expect(checkpoint.executionsPurged == 2)
        #expect(checkpoint.documentsPurged == 5)
        #expect(checkpoint.recordsPurged == 10)
        #expect(checkpoint.lastSequence == 12)   // old-1: records 1-7, old-2: 8-12 (tracked values, then the execution)
        #expect(checkpoint.cutoff == date(10_000))
        #expect(checkpoint.createdAt == date(60_000))

        #expect(try fixture.store.execution(id: "old-1") == nil)
        #expect(try fixture.store.documentCount(executionID: "old-2") == 0)
        #expect(try fixture.store.execution(id: "new-1") != nil)
        #expect(try fixture.trackedRows() == 6)

        let after = try fixture.store.verifyChain()
        #expect(after.isIntact)
        #expect(after.recordsChecked == 8)   // new-1: 13-19, then the checkpoint's record 20
        #expect(after.headSequence == before.headSequence + 1)
        #expect(after.checkpoint == checkpoint)
        #expect(try fixture.store.auditCheckpoints() == [checkpoint])

        // Tampering after the checkpoint is still caught; so is deleting the first record kept.
        try fixture.tamper("DELETE FROM tracked_values WHERE seq = 13")
        #expect(try fixture.store.verifyChain().firstBreak?.sequence == 14)
    }

    @Test func writingAfterEverythingWasPurgedContinuesFromTheCheckpoint() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("old-1", startedAt: 1_000)
        try fixture.store.purge(retention: try #require(RetentionPeriod("1m")), now: date(600_000))
        #expect(try fixture.trackedRows() == 0)
        #expect(try fixture.store.verifyChain().headSequence == 8)   // the checkpoint's record follows 1-7

        try fixture.addExecution("new-1", startedAt: 700_000, documents: 1)
        let result = try fixture.store.verifyChain()
        #expect(result.isIntact)
        #expect(result.recordsChecked == 4)
        #expect(result.headSequence == 11)
    }

    @Test func anOldExecutionInterleavedWithARunningOneIsKept() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("old-1", startedAt: 1_000)                   // records 1-7
        try fixture.addExecution("running", startedAt: 2_000, documents: 1, status: .inProcess) // 8-9
        try fixture.addExecution("old-2", startedAt: 3_000, documents: 1)     // 10-12
        try fixture.addExecution("new-1", startedAt: 90_000, documents: 1)    // 13-15

        let checkpoint = try fixture.store.purge(startedBefore: date(10_000), now: date(100_000))
        #expect(checkpoint.executionsPurged == 1)
        #expect(checkpoint.lastSequence == 7)
        #expect(try fixture.store.execution(id: "old-2") != nil)
        #expect(try fixture.store.execution(id: "running") != nil)
        #expect(try fixture.store.verifyChain().isIntact)

        // A second purge records itself even when nothing could go.
        let second = try fixture.store.purge(startedBefore: date(95_000), now: date(100_000))
        // "running" is still INPROCESS, so old-2 and new-1, whose records follow it, stay too.
        #expect(second.executionsPurged == 0)
        #expect(second.lastSequence == 7)
        #expect(try fixture.store.auditCheckpoints().count == 2)
        #expect(try fixture.store.verifyChain().isIntact)
    }

    @Test func executionsWithoutTrackedValuesArePurgedToo() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("plain", startedAt: 1_000, documents: 0)
        try fixture.store.record(documents: [DocumentRecord(executionID: "plain", shapeID: "s", direction: "input",
                                                            index: 0, recordedAt: date(1_001), count: 5)])
        let checkpoint = try fixture.store.purge(startedBefore: date(2_000), now: date(3_000))
        #expect(checkpoint.executionsPurged == 1)
        #expect(checkpoint.documentsPurged == 5)
        #expect(checkpoint.recordsPurged == 0)
        #expect(checkpoint.lastSequence == 1)   // its execution record
        #expect(try fixture.store.verifyChain().isIntact)
    }
}
