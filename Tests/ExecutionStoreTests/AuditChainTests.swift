import Foundation
import Testing
@testable import ExecutionStore

@Suite struct AuditChainTests {
    @Test func recordsAreChainedInInsertionOrderAndVerify() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        try fixture.addExecution("exec-b", startedAt: 2_000, documents: 2)

        let result = try fixture.store.verifyChain()
        #expect(result.isIntact)
        #expect(result.recordsChecked == 10)
        #expect(result.headSequence == 10)
        #expect(result.headHash.count == 64)
        #expect(result.checkpoint == nil)

        // The head is the chain hash of record 10, recomputed by hand from the genesis.
        let connection = try SQLiteConnection(path: database.path, busyTimeoutMilliseconds: 1000)
        var previous = Digest.genesis
        var sequences: [Int64] = []
        try connection.query("\(ChainRow.select) ORDER BY t.seq", operation: "read") { row in
            let record = ChainRow(row: row)
            let content = try #require(record.content.hash())
            #expect(content == record.contentHash)
            let chain = try #require(Digest.link(previous: previous, content: content))
            #expect(chain == record.chainHash)
            previous = chain
            sequences.append(record.sequence ?? -1)
        }
        #expect(sequences == Array(1...10))
        #expect(Digest.hex(previous) == result.headHash)
    }

    @Test func canonicalContentSeparatesFieldsUnambiguously() throws {
        let base = ChainContent(executionID: "e", processID: "p", shapeID: "s", connectionID: nil, operationID: "o",
                                direction: "input", documentIndex: 1, status: "success", field: "ab", value: "c",
                                cut: false, recordedAt: "2024-05-01T12:00:00.000Z")
        var shifted = base
        shifted.field = "a"
        shifted.value = "bc"
        var emptyConnection = base
        emptyConnection.connectionID = ""
        #expect(base.hash() != shifted.hash())
        #expect(base.hash() != emptyConnection.hash())
        #expect(base.hash() == base.hash())
        #expect(Digest.hex(try #require(Digest.sha256(Array("abc".utf8))))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func anEditedValueIsCaughtAsChangedContent() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        try fixture.tamper("UPDATE tracked_values SET value = 'forged' WHERE seq = 3")

        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .contentChanged)
        #expect(broken.sequence == 3)
        #expect(broken.executionID == "exec-a")
        #expect(broken.field == "orderId")
        #expect(broken.description == "record 3 (execution exec-a, field orderId): content changed: "
                + "its fields do not match its content hash")
    }

    @Test func anEditedExecutionOrDocumentIsCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        try fixture.tamper("UPDATE documents SET status = 'error' WHERE doc_index = 2")
        #expect(try fixture.store.verifyChain().firstBreak?.sequence == 5)
        try fixture.tamper("UPDATE documents SET status = 'success'; UPDATE executions SET process_id = 'other'")
        #expect(try fixture.store.verifyChain().firstBreak?.sequence == 1)
    }

    @Test func rewrittenHashesAreCaughtAsABrokenLink() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        // Someone edits a value and recomputes its content hash, but not the chain.
        let connection = try SQLiteConnection(path: database.path, busyTimeoutMilliseconds: 1000)
        var content: ChainContent?
        try connection.query("\(ChainRow.select) WHERE t.seq = 2", operation: "read") { content = ChainRow(row: $0).content }
        var forged = try #require(content)
        forged.value = "c-forged"
        try connection.execute("UPDATE tracked_values SET value = ?1, content_hash = ?2 WHERE seq = 2",
                               [.text(forged.value), .blob(try #require(forged.hash()))], operation: "tamper")

        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .linkBroken)
        #expect(broken.sequence == 2)
        #expect(broken.previousSequence == 1)
    }

    @Test func aDeletedRowIsCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        try fixture.tamper("DELETE FROM tracked_values WHERE seq = 4")

        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .linkBroken)
        #expect(broken.sequence == 5)
        #expect(broken.description.contains("it follows record 3; records in between are missing"))
    }

    @Test func reorderedRowsAreCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        try fixture.tamper("""
            UPDATE tracked_values SET seq = -1 WHERE seq = 2;
            UPDATE tracked_values SET seq = 2 WHERE seq = 3;
            UPDATE tracked_values SET seq = 3 WHERE seq = -1;
            """)

        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .linkBroken)
        #expect(broken.sequence == 2)
    }

    @Test func aRowInsertedOutsideTheStoreIsCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        try fixture.tamper("""
            INSERT INTO tracked_values (document_id, position, name, value, truncated)
            SELECT id, 9, 'orderId', 'smuggled', 0 FROM documents LIMIT 1
            """)
        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .unchained)
        #expect(broken.sequence == nil)
    }

    @Test func concurrentWritersKeepOneLinearChain() async throws {
        let database = try TemporaryDatabase()
        let stores = [try ExecutionStore(path: database.path), try ExecutionStore(path: database.path)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                let store = stores[writer % 2]
                group.addTask {
                    for number in 0..<10 {
                        let id = "w\(writer)-\(number)"
                        try store.insert(ExecutionRecord(id: id, processID: "p\(writer)", processName: "P",
                                                         trigger: "schedule", startTime: date(Int64(number))))
                        try store.record(documents: [DocumentRecord(
                            executionID: id, shapeID: "s", direction: "input", index: 0,
                            trackedValues: [TrackedValue(name: "orderId", value: id), TrackedValue(name: "n", value: "1")])])
                    }
                }
            }
            try await group.waitForAll()
        }
        let result = try stores[0].verifyChain()
        #expect(result.isIntact)
        #expect(result.recordsChecked == 80)
        #expect(result.headSequence == 80)
    }

    @Test func valuesWrittenBeforeTheAuditTrailAreChainedOnUpgrade() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        // Take the database back to the schema before the audit trail: no chain columns, no checkpoints.
        let before = try #require(Schema.migrations.firstIndex { $0.contains("CREATE TABLE audit_checkpoints") })
        try fixture.tamper("""
            DROP INDEX tracked_values_by_seq;
            ALTER TABLE tracked_values DROP COLUMN seq;
            ALTER TABLE tracked_values DROP COLUMN content_hash;
            ALTER TABLE tracked_values DROP COLUMN chain_hash;
            ALTER TABLE executions DROP COLUMN chain_first;
            ALTER TABLE executions DROP COLUMN chain_last;
            ALTER TABLE executions DROP COLUMN retries;
            ALTER TABLE executions DROP COLUMN documents_dead_lettered;
            ALTER TABLE executions DROP COLUMN owner;
            DROP TABLE audit_checkpoints;
            PRAGMA user_version = \(before);
            """)
        let reopened = try ExecutionStore(path: database.path)
        let result = try reopened.verifyChain()
        #expect(result.isIntact)
        #expect(result.recordsChecked == 6)
        try fixture.addExecution("exec-b", startedAt: 2_000, documents: 1)
        #expect(try reopened.verifyChain().headSequence == 8)
    }
}
