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
        #expect(result.recordsChecked == 12)   // 10 tracked values and 2 finished executions
        #expect(result.headSequence == 12)
        #expect(result.headHash.count == 64)
        #expect(result.checkpoint == nil)
        #expect(!result.signaturesChecked)

        // The head is the chain hash of record 12, recomputed by hand from the genesis: tracked
        // values from their fields, executions from their rows (the sealed record follows each).
        let connection = try openRaw(database.path)
        var previous = Digest.genesis
        var sequences: [Int64] = []
        var hashes: [Int64: (content: [UInt8], chain: [UInt8])] = [:]
        try connection.query("\(ChainRow.select) ORDER BY t.seq", operation: "read") { row in
            let record = ChainRow(row: row)
            #expect(record.content.hash() == record.contentHash)
            hashes[record.sequence ?? -1] = (record.contentHash, record.chainHash)
        }
        try connection.query("SELECT seq, kind, execution_id, content_hash, chain_hash FROM audit_entries",
                             operation: "read") { row in
            #expect(row.text(1) == "execution")
            let content = try #require(try AuditEntryKind.execution.content(of: .text(row.text(2) ?? ""), format: 1,
                                                                            connection, context: "read"))
            #expect(Digest.sha256(content) == row.blob(3))
            hashes[row.int64(0)] = (row.blob(3), row.blob(4))
        }
        for sequence in hashes.keys.sorted() {
            let entry = try #require(hashes[sequence])
            let chain = try #require(Digest.link(previous: previous, content: entry.content))
            #expect(chain == entry.chain)
            previous = chain
            sequences.append(sequence)
        }
        #expect(sequences == Array(1...12))
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
        let connection = try openRaw(database.path)
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

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func valuesWrittenBeforeTheAuditTrailAreChainedOnUpgrade() throws {
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
            ALTER TABLE documents DROP COLUMN error_code;
            ALTER TABLE executions DROP COLUMN host;
            DROP TABLE document_contents;
            DROP TABLE audit_checkpoints;
            DROP TABLE audit_entries;
            DROP TABLE audit_head;
            PRAGMA user_version = \(before);
            """)
        let reopened = try ExecutionStore(path: database.path)
        let result = try reopened.verifyChain()
        #expect(result.isIntact)
        #expect(result.recordsChecked == 7)   // 6 tracked values, then the finished execution
        try fixture.addExecution("exec-b", startedAt: 2_000, documents: 1)
        #expect(try reopened.verifyChain().headSequence == 10)
    }

    // MARK: Execution records, document errors, checkpoints and the signed head

    /// exec-a: tracked values 1-6, its execution record 7; exec-f (ERROR): a tracked value 8, its
    /// failed document 9, its execution record 10.
    private func twoExecutions(_ database: borrowing TemporaryDatabase, key: String? = nil) throws -> AuditFixture {
        let fixture = try AuditFixture(path: database.path, key: key)
        try fixture.addExecution("exec-a", startedAt: 1_000)
        try fixture.addFailedExecution("exec-f", startedAt: 2_000)
        let result = try fixture.store.verifyChain()
        #expect(result.isIntact, "\(String(describing: result.firstBreak))")
        #expect(result.headSequence == 10)
        return fixture
    }

    @Test(arguments: [
        "status = 'COMPLETE'", "error = NULL", "documents_in = 4", "documents_out = 3", "documents_error = 0",
        "trigger = 'manual'", "start_time = '2026-01-01T00:00:00.000Z'", "end_time = '2026-01-01T00:00:09.000Z'",
        "user_log = '[\"loaded 3 rows\"]'", "shape_counts = '[]'", "retries = 2", "process_name = 'Other'",
    ])
    func anEditedExecutionRecordIsCaught(_ edit: String) throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database)
        try fixture.tamper("UPDATE executions SET \(edit) WHERE id = 'exec-f'")

        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .contentChanged)
        #expect(broken.sequence == 10)
        #expect(broken.executionID == "exec-f")
        #expect(broken.description == "record 10 (execution exec-f, execution record): content changed: "
                + "its fields do not match its content hash")
    }

    @Test func anEditedDocumentErrorIsCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database)
        try fixture.tamper("UPDATE documents SET error = 'timeout' WHERE status = 'error'")

        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .contentChanged)
        #expect(broken.sequence == 9)
        #expect(broken.description == "record 9 (execution exec-f, document 1 of shape insert (input)): "
                + "content changed: its fields do not match its content hash")
    }

    @Test func aDocumentTurnedIntoAFailureOrDeletedIsCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database)
        try fixture.tamper("UPDATE documents SET status = 'error', error = 'forged' WHERE execution_id = 'exec-f' AND doc_index = 2")
        let flipped = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(flipped.kind == .unchained)
        #expect(flipped.description.hasPrefix("execution exec-f, document 2 of shape insert (input) with status error: "
            + "not chained"))

        try fixture.tamper("""
            UPDATE documents SET status = 'success', error = NULL WHERE execution_id = 'exec-f' AND doc_index = 2;
            DELETE FROM documents WHERE status = 'error'
            """)
        let deleted = try #require(try fixture.store.verifyChain().firstBreak)
        if TemporaryDatabase.onPostgres {
            // PostgreSQL always enforces foreign keys: the document's chain entry went with it.
            #expect(deleted.sequence == 10)
            #expect(deleted.description.contains("records in between are missing"))
        } else {
            #expect(deleted.sequence == 9)
            #expect(deleted.description.hasPrefix("record 9 (execution exec-f, document row"))
        }
    }

    @Test func anExecutionEndedOutsideTheStoreIsCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database)
        try fixture.store.insert(ExecutionRecord(id: "exec-r", processID: "orders", processName: "Orders",
                                                 trigger: "manual", startTime: date(3_000)))
        #expect(try fixture.store.verifyChain().isIntact)   // running executions are chained when they end
        try fixture.tamper("UPDATE executions SET status = 'COMPLETE' WHERE id = 'exec-r'")
        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .unchained)
        #expect(broken.executionID == "exec-r")

        // Marking it ABORTED (another command found it orphaned) chains it.
        try fixture.tamper("UPDATE executions SET status = 'INPROCESS' WHERE id = 'exec-r'")
        #expect(try fixture.store.abortInProcess(message: "aborted") == ["exec-r"])
        let result = try fixture.store.verifyChain()
        #expect(result.isIntact)
        #expect(result.headSequence == 11)
    }

    @Test(arguments: [nil, "k3y-for-audit"] as [String?])
    func aDeletedTailIsCaught(key: String?) throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database, key: key)
        try fixture.tamper("PRAGMA foreign_keys = ON; DELETE FROM executions WHERE id = 'exec-f'")

        let result = try fixture.store.verifyChain()
        #expect(result.signaturesChecked == (key != nil))
        let broken = try #require(result.firstBreak)
        #expect(broken.kind == .tailDeleted)
        #expect(broken.description == "head: tail deleted: the chain ends at record 7 but its head is record 10: "
                + "records 8 to 10 were deleted")
    }

    @Test func aDeletedTailWithARewrittenHeadIsCaughtOnlyWithTheKey() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database, key: "k3y-for-audit")
        // Someone cuts the tail and rewrites the head to match, but cannot sign it.
        try fixture.tamper("""
            PRAGMA foreign_keys = ON; DELETE FROM executions WHERE id = 'exec-f';
            UPDATE audit_head SET seq = 7, chain_hash = (SELECT chain_hash FROM audit_entries WHERE seq = 7);
            """)
        let keyed = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(keyed.kind == .signatureMismatch)
        #expect(keyed.description.hasPrefix("head: signature does not match: the head (record 7, 0 checkpoints) "
            + "was rewritten without the audit key"))

        let unkeyed = try ExecutionStore(path: database.path).verifyChain()
        #expect(unkeyed.isIntact)
        #expect(!unkeyed.signaturesChecked)
        // A wrong key does not verify either.
        let wrong = try ExecutionStore(path: database.path, auditKey: AuditKey(secret: "guess")).verifyChain()
        #expect(wrong.firstBreak?.kind == .signatureMismatch)
    }

    @Test func aWriteWithoutTheKeyLeavesTheHeadUnsigned() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database, key: "k3y-for-audit")
        let keyless = try AuditFixture(path: database.path)
        try keyless.addExecution("exec-b", startedAt: 3_000, documents: 1)
        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .notSigned)
        #expect(broken.description.hasPrefix("head: not signed: the last write to the chain was made without the audit key"))
        // The next write with the key signs the head again.
        try fixture.addExecution("exec-c", startedAt: 4_000, documents: 1)
        #expect(try fixture.store.verifyChain().isIntact)
    }

    @Test(arguments: [nil, "k3y-for-audit"] as [String?])
    func anEditedOrDeletedCheckpointIsCaught(key: String?) throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database, key: key)
        try fixture.store.purge(startedBefore: date(1_500), now: date(9_000))   // exec-a: records 1-7
        let result = try fixture.store.verifyChain()
        #expect(result.isIntact, "\(String(describing: result.firstBreak))")
        #expect(result.headSequence == 11)   // the checkpoint's own record
        #expect(result.notes.isEmpty)

        try fixture.tamper("UPDATE audit_checkpoints SET executions_purged = 0")
        let edited = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(edited.kind == .contentChanged)
        #expect(edited.description.hasPrefix("record 11 (checkpoint 1): content changed"))

        try fixture.tamper("UPDATE audit_checkpoints SET executions_purged = 1")
        #expect(try fixture.store.verifyChain().isIntact)
        try fixture.tamper("DELETE FROM audit_checkpoints")
        let deleted = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(deleted.kind == .linkBroken)
        #expect(deleted.description.contains("records in between are missing"))
    }

    @Test func anOlderCheckpointDeletedWithItsRecordIsCaught() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database)
        try fixture.store.purge(startedBefore: date(1_500), now: date(9_000))
        try fixture.store.purge(startedBefore: date(1_500), now: date(9_500))
        #expect(try fixture.store.verifyChain().isIntact)
        try fixture.tamper("DELETE FROM audit_checkpoints WHERE id = 1; DELETE FROM audit_entries WHERE checkpoint_id = 1")
        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .linkBroken)
        #expect(broken.sequence == 12)
    }

    @Test func aForgedCheckpointIsCaughtWithTheKey() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database, key: "k3y-for-audit")
        // Someone deletes exec-a and adds a checkpoint that makes the chain start after its records.
        let forge = """
            PRAGMA foreign_keys = ON; DELETE FROM executions WHERE id = 'exec-a';
            INSERT INTO audit_checkpoints (created_at, cutoff, last_seq, last_chain_hash)
            VALUES ('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 7, X'\(try chainHash(database, 7))');
            """
        try fixture.tamper(forge)
        let keyed = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(keyed.kind == .headMismatch)
        #expect(keyed.description.contains("(record 10, 0 checkpoints, verification from record 0) does not match "
            + "the chain (record 10, 1 checkpoints, from record 7)"))

        // Rewriting the head to match needs the key; an edited signature of the checkpoint is caught too.
        try fixture.tamper("UPDATE audit_head SET start_seq = 7, checkpoints = 1, "
            + "start_hash = (SELECT last_chain_hash FROM audit_checkpoints)")
        #expect(try fixture.store.verifyChain().firstBreak?.kind == .signatureMismatch)
        #expect(try ExecutionStore(path: database.path).verifyChain().isIntact)
    }

    @Test func aCheckpointSignatureIsChecked() throws {
        let database = try TemporaryDatabase()
        let fixture = try twoExecutions(database, key: "k3y-for-audit")
        try fixture.store.purge(startedBefore: date(1_500), now: date(9_000))
        #expect(try fixture.store.verifyChain().isIntact)
        try fixture.tamper("UPDATE audit_checkpoints SET signature = X'00'")
        let broken = try #require(try fixture.store.verifyChain().firstBreak)
        #expect(broken.kind == .signatureMismatch)
        #expect(broken.description == "checkpoint 1: signature does not match: it was edited or forged without the audit key")
        #expect(try ExecutionStore(path: database.path).verifyChain().isIntact)
    }

    @Test(.enabled(if: TemporaryDatabase.onSQLite, "SQLite files, leases or older SQLite schemas"))
    func executionsAndDocumentErrorsWrittenBeforeTheyWereChainedAreChainedOnUpgrade() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.store.insert(ExecutionRecord(id: "old", processID: "orders", processName: "Orders",
                                                 trigger: "schedule", startTime: date(1_000)))
        try fixture.store.record(documents: [DocumentRecord(
            executionID: "old", shapeID: "insert", direction: "input", index: 0,
            trackedValues: [TrackedValue(name: "orderId", value: "1"), TrackedValue(name: "customer", value: "c")],
            recordedAt: date(1_005))])
        // As an earlier version left it: a finished execution and a failed document, neither chained.
        let before = try #require(Schema.migrations.firstIndex { $0.contains("CREATE TABLE audit_entries") })
        try fixture.tamper("""
            UPDATE executions SET status = 'ERROR', documents_error = 1, end_time = '1970-01-01T00:00:02.000Z';
            INSERT INTO documents (execution_id, shape_id, direction, doc_index, status, error, recorded_at)
            VALUES ('old', 'insert', 'input', 1, 'error', 'bad row', '1970-01-01T00:00:01.005Z');
            DROP TABLE audit_entries;
            DROP TABLE audit_head;
            ALTER TABLE audit_checkpoints DROP COLUMN signature;
            ALTER TABLE documents DROP COLUMN error_code;
            ALTER TABLE executions DROP COLUMN host;
            DROP TABLE document_contents;
            PRAGMA user_version = \(before);
            """)
        let reopened = try ExecutionStore(path: database.path, auditKey: AuditKey(secret: "k3y-for-audit"))
        let result = try reopened.verifyChain()
        #expect(result.isIntact, "\(String(describing: result.firstBreak))")
        #expect(result.headSequence == 4)   // 2 tracked values, then the failed document and the execution
        #expect(result.signaturesChecked)
        try fixture.tamper("UPDATE documents SET error = 'fine' WHERE status = 'error'")
        #expect(try reopened.verifyChain().firstBreak?.sequence == 3)
    }

    @Test func hmacMatchesRFC4231() throws {
        let mac = try #require(Digest.hmac(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)))
        #expect(Digest.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let long = try #require(Digest.hmac(key: [UInt8](repeating: 0xAA, count: 131),
                                            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
        #expect(Digest.hex(long) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect("\(try #require(AuditKey(secret: "s3cret")))" == "***")
        #expect(AuditKey(secret: "") == nil)
    }

    private func chainHash(_ database: borrowing TemporaryDatabase, _ sequence: Int64) throws -> String {
        let connection = try openRaw(database.path)
        var hash: [UInt8] = []
        try connection.query("SELECT chain_hash FROM audit_entries WHERE seq = ?1", [.integer(sequence)],
                             operation: "read") { hash = $0.blob(0) }
        return Digest.hex(hash)
    }
}
