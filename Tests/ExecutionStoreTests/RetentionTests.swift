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
        #expect(checkpoint.lastSequence == 10)
        #expect(checkpoint.cutoff == date(10_000))
        #expect(checkpoint.createdAt == date(60_000))

        #expect(try fixture.store.execution(id: "old-1") == nil)
        #expect(try fixture.store.documentCount(executionID: "old-2") == 0)
        #expect(try fixture.store.execution(id: "new-1") != nil)
        #expect(try fixture.trackedRows() == 6)

        let after = try fixture.store.verifyChain()
        #expect(after.isIntact)
        #expect(after.recordsChecked == 6)
        #expect(after.headHash == before.headHash)
        #expect(after.checkpoint == checkpoint)
        #expect(try fixture.store.auditCheckpoints() == [checkpoint])

        // Tampering after the checkpoint is still caught; so is deleting the first record kept.
        try fixture.tamper("DELETE FROM tracked_values WHERE seq = 11")
        #expect(try fixture.store.verifyChain().firstBreak?.sequence == 12)
    }

    @Test func writingAfterEverythingWasPurgedContinuesFromTheCheckpoint() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("old-1", startedAt: 1_000)
        try fixture.store.purge(retention: try #require(RetentionPeriod("1m")), now: date(600_000))
        #expect(try fixture.trackedRows() == 0)
        #expect(try fixture.store.verifyChain().headSequence == 6)

        try fixture.addExecution("new-1", startedAt: 700_000, documents: 1)
        let result = try fixture.store.verifyChain()
        #expect(result.isIntact)
        #expect(result.recordsChecked == 2)
        #expect(result.headSequence == 8)
    }

    @Test func anOldExecutionInterleavedWithARunningOneIsKept() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("old-1", startedAt: 1_000)                   // records 1-6
        try fixture.addExecution("running", startedAt: 2_000, documents: 1, status: .inProcess) // 7-8
        try fixture.addExecution("old-2", startedAt: 3_000, documents: 1)     // 9-10
        try fixture.addExecution("new-1", startedAt: 90_000, documents: 1)    // 11-12

        let checkpoint = try fixture.store.purge(startedBefore: date(10_000), now: date(100_000))
        #expect(checkpoint.executionsPurged == 1)
        #expect(checkpoint.lastSequence == 6)
        #expect(try fixture.store.execution(id: "old-2") != nil)
        #expect(try fixture.store.execution(id: "running") != nil)
        #expect(try fixture.store.verifyChain().isIntact)

        // A second purge records itself even when nothing could go.
        let second = try fixture.store.purge(startedBefore: date(95_000), now: date(100_000))
        // "running" is still INPROCESS, so old-2 and new-1, whose records follow it, stay too.
        #expect(second.executionsPurged == 0)
        #expect(second.lastSequence == 6)
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
        #expect(checkpoint.lastSequence == 0)
        #expect(checkpoint.lastChainHash == String(repeating: "0", count: 64))
    }
}
