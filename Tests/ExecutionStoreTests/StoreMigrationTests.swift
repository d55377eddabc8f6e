import Foundation
import Testing
import TestSupport
@testable import ExecutionStore

/// `StoreMigration`: an SQLite store copied into an empty PostgreSQL database, row for row, chain intact.
@Suite struct StoreMigrationTests {
    static let key = "migration-test-key"

    /// An SQLite store file in a directory of its own, and an empty PostgreSQL database; both removed at the end.
    final class Stores {
        let directory: String
        let sqlitePath: String
        let targetURL: String
        let target: PostgresLocation

        init() throws {
            directory = NSTemporaryDirectory() + "conveyor-migration-\(UUID().uuidString.prefix(8))"
            sqlitePath = directory + "/.conveyor/executions.sqlite"
            targetURL = try TestPostgres.createDatabase(prefix: "migration")
            target = try PostgresLocation(url: targetURL)
        }

        deinit {
            try? FileManager.default.removeItem(atPath: directory)
            TestPostgres.dropDatabase(targetURL)
        }
    }

    /// Fills `fixture`'s store with 2,050+ tracked values, a failed execution, a child execution, a
    /// purge that removed two executions, a persisted property, a write checkpoint and a schedule fire time.
    static func fill(_ fixture: AuditFixture) throws {
        try fixture.addExecution("old-1", startedAt: 1_000_000, documents: 3)
        try fixture.addExecution("old-2", startedAt: 1_001_000, documents: 2)
        for index in 0..<25 {
            try fixture.addExecution("ex-\(index)", startedAt: 1_714_000_000_000 + Int64(index) * 1000, documents: 41)
        }
        try fixture.addFailedExecution("ex-failed", startedAt: 1_714_000_100_000)
        let store = fixture.store
        var child = ExecutionRecord(id: "ex-child", processID: "orders", processName: "Orders", trigger: "subprocess",
                                    startTime: date(1_714_000_101_000), parentExecutionID: "ex-failed")
        try store.insert(child)
        child.status = .complete
        child.endTime = date(1_714_000_102_000)
        try store.update(child)
        let checkpoint = try store.purge(startedBefore: date(2_000_000), now: date(1_714_000_200_000))
        #expect(checkpoint.executionsPurged == 2)
        try store.persist(properties: ["since": "ex-24-order-40"], processID: "orders", executionID: "ex-24",
                          at: date(1_714_000_201_000))
        #expect(try store.claimWriteCheckpoint(processID: "orders", destination: "shop.sales.orders",
                                               executionID: "ex-24") == .fresh)
        try store.save(WriteCheckpoint(processID: "orders", destination: "shop.sales.orders", stream: "streams/_default",
                                       nextOffset: 41, rowsDone: 41, executionID: "ex-24", updatedAt: date(1_714_000_202_000)))
        try store.setLastFire(date(1_714_000_203_000), scheduleKey: "orders#0", processID: "orders")
        try store.record(contents: [DocumentContentTests.content("ex-failed", index: 0, bytes: #"{"id": 1}"#),
                                    DocumentContentTests.content("ex-failed", index: 0, direction: "output",
                                                                 status: .success, bytes: "x", cut: true, size: 70_000)])
    }

    /// Every row of every table as text (blobs in hex), in the migration's order.
    static func dump(_ connection: any StoreConnection) throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        for table in MigratedTable.all {
            var rows: [String] = []
            try connection.query(table.select, operation: "dump \(table.name)") { row in
                rows.append(table.columns.enumerated().map { offset, column in
                    let index = Int32(offset)
                    if row.isNull(index) { return "NULL" }
                    switch column.kind {
                    case .integer: return String(row.int64(index))
                    case .text: return "'" + (row.text(index) ?? "") + "'"
                    case .blob: return Digest.hex(row.blob(index))
                    }
                }.joined(separator: "|"))
            }
            tables[table.name] = rows
        }
        return tables
    }

    @Test("every row of every table is copied with its ids, the chain verifies, and new rows get new ids")
    func copiesEveryRowAndTheChainVerifies() throws {
        let stores = try Stores()
        let fixture = try AuditFixture(path: stores.sqlitePath, key: Self.key)
        try Self.fill(fixture)
        let sourceCheck = try fixture.store.verifyChain()
        #expect(sourceCheck.isIntact && sourceCheck.recordsChecked > 2_000)

        var events: [StoreMigration.Progress] = []
        let report = try StoreMigration.run(from: fixture.store, to: stores.target, batchRows: 300) { events.append($0) }

        // Row for row the same, ids and hashes included.
        let source = try Self.dump(SQLiteConnection(path: stores.sqlitePath, busyTimeoutMilliseconds: 1000))
        let target = try Self.dump(PostgresStoreConnection(location: stores.target, purpose: "test"))
        for table in MigratedTable.all {
            #expect(source[table.name] == target[table.name], "table \(table.name) differs")
        }
        let counts = Dictionary(uniqueKeysWithValues: report.tables.map { ($0.table, $0.rows) })
        #expect(counts == source.mapValues(\.count))
        #expect(counts["executions"] == 27)
        #expect(counts["tracked_values"] == 25 * 41 * 2 + 1)
        #expect(counts["audit_checkpoints"] == 1)
        #expect(counts["audit_entries"] == 27 + 1 + 1)   // finished executions, the failed document, the checkpoint
        #expect(counts["audit_head"] == 1)
        #expect(counts["process_properties"] == 1)
        #expect(counts["write_checkpoints"] == 1)
        #expect(counts["schedule_fires"] == 1)
        #expect(counts["document_contents"] == 2)
        #expect(report.totalRows == source.values.map(\.count).reduce(0, +))
        #expect(report.tables.map(\.table) == MigratedTable.all.map(\.name))
        // Progress: each table started and finished; tracked values in batches of 300 rows.
        #expect(events.contains(.started(table: "tracked_values", rows: 2051)))
        #expect(events.contains(.copied(table: "tracked_values", copied: 300, rows: 2051)))
        #expect(events.contains(.copied(table: "tracked_values", copied: 2051, rows: 2051)))
        #expect(events.filter { if case .finished = $0 { true } else { false } }.count == MigratedTable.all.count)

        #expect(report.verification.isIntact, "\(report.verification.firstBreak.map { "\($0)" } ?? "")")
        #expect(report.verification.signaturesChecked)
        #expect(report.verification.recordsChecked == sourceCheck.recordsChecked)
        #expect(report.verification.headHash == sourceCheck.headHash)
        #expect(report.sourceVerification == nil)

        // The PostgreSQL store reads what the SQLite store held.
        let migrated = try AuditFixture(path: stores.targetURL, key: Self.key)
        #expect(try migrated.store.execution(id: "ex-failed")?.status == .error)
        #expect(try migrated.store.childExecutions(of: "ex-failed").map(\.id) == ["ex-child"])
        #expect(try migrated.store.persistedProperties(processID: "orders").map(\.value) == ["ex-24-order-40"])
        #expect(try migrated.store.writeCheckpoint(processID: "orders", destination: "shop.sales.orders")?.nextOffset == 41)
        #expect(try migrated.store.lastFire(scheduleKey: "orders#0") == date(1_714_000_203_000))
        #expect(try migrated.store.documentContents(executionID: "ex-failed").map(\.size) == [9, 70_000])
        #expect(try migrated.store.searchTracked(field: "orderId", value: "ex-7-order-3").map(\.execution.id) == ["ex-7"])

        // Writes after the migration get ids past the copied ones (the identity sequences moved).
        try migrated.addExecution("after", startedAt: 1_714_000_300_000, documents: 2)
        let purge = try migrated.store.purge(startedBefore: date(1_714_000_005_000), now: date(1_714_000_301_000))
        #expect(purge.id == 2 && purge.executionsPurged == 5)
        let again = try migrated.store.verifyChain()
        #expect(again.isIntact, "\(again.firstBreak.map { "\($0)" } ?? "")")
        var rowids: [Int64] = []
        try PostgresStoreConnection(location: stores.target, purpose: "test").query(
            "SELECT rowid FROM executions WHERE id = 'after'", operation: "read") { rowids.append($0.int64(0)) }
        #expect(rowids == [30])   // 29 executions were inserted in the SQLite store (two purged before the copy)
    }

    @Test("a target holding rows is refused; a copy failing half-way leaves the target empty")
    func nonEmptyTargetAndFailedCopy() throws {
        let stores = try Stores()
        let fixture = try AuditFixture(path: stores.sqlitePath)
        try fixture.addExecution("ex-1", startedAt: 1_714_000_000_000)
        try fixture.store.persist(properties: ["since": "1"], processID: "orders", executionID: "ex-1")

        // A trigger makes the last table fail, after every execution and document was inserted.
        _ = try ExecutionStore(postgres: stores.target)
        try TestPostgres.psql(stores.targetURL, """
            CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON process_properties FOR EACH ROW EXECUTE FUNCTION refuse();
            """)
        let failure = try #require(throws: StoreError.self) { try StoreMigration.run(from: fixture.store, to: stores.target) }
        #expect(failure.description.contains("disk full"), "\(failure)")
        #expect(failure.description.contains("process_properties"), "\(failure)")
        #expect(try TestPostgres.psql(stores.targetURL, "SELECT (SELECT COUNT(*) FROM executions) + (SELECT COUNT(*) FROM "
                                      + "documents) + (SELECT COUNT(*) FROM tracked_values) + (SELECT COUNT(*) FROM audit_head)")
                == "0")
        try TestPostgres.psql(stores.targetURL, "DROP TRIGGER refuse ON process_properties")

        let report = try StoreMigration.run(from: fixture.store, to: stores.target)
        #expect(report.verification.isIntact)
        let refused = try #require(throws: StoreError.self) { try StoreMigration.run(from: fixture.store, to: stores.target) }
        #expect(refused.path == stores.target.description)
        #expect(refused.message.contains("the target is not empty (1 row in executions, 3 rows in documents"),
                "\(refused.message)")
        #expect(refused.message.contains("DROP DATABASE"))
        #expect(try TestPostgres.psql(stores.targetURL, "SELECT COUNT(*) FROM executions") == "1")
    }

    @Test("a source with an execution still INPROCESS is refused, naming it")
    func executionInProcessIsRefused() throws {
        let stores = try Stores()
        let fixture = try AuditFixture(path: stores.sqlitePath)
        try fixture.addExecution("ex-done", startedAt: 1_714_000_000_000)
        try fixture.store.insert(ExecutionRecord(id: "ex-running", processID: "orders", processName: "Orders",
                                                 trigger: "manual", startTime: date(1_714_000_001_000)))
        let refused = try #require(throws: StoreError.self) { try StoreMigration.run(from: fixture.store, to: stores.target) }
        #expect(refused.path == stores.sqlitePath)
        #expect(refused.message.contains("execution still INPROCESS: ex-running (process orders, started "),
                "\(refused.message)")
        #expect(refused.message.contains("nothing was copied"))
        #expect(try TestPostgres.psql(stores.targetURL, "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'executions'")
                == "0", "nothing is written to the target, not even the schema")
    }

    @Test("a source whose chain was already broken is copied as it is, and the report says the break came from it")
    func brokenSourceIsReported() throws {
        let stores = try Stores()
        let fixture = try AuditFixture(path: stores.sqlitePath)
        try fixture.addExecution("ex-1", startedAt: 1_714_000_000_000)
        try fixture.tamper("UPDATE tracked_values SET value = 'forged' WHERE seq = 2")
        let report = try StoreMigration.run(from: fixture.store, to: stores.target)
        #expect(!report.verification.isIntact)
        #expect(report.verification.firstBreak?.sequence == 2)
        let source = try #require(report.sourceVerification)
        #expect(source.firstBreak == report.verification.firstBreak)
    }

    @Test("a source column the migration does not copy is refused rather than dropped")
    func unknownColumnIsRefused() throws {
        let stores = try Stores()
        let fixture = try AuditFixture(path: stores.sqlitePath)
        try fixture.addExecution("ex-1", startedAt: 1_714_000_000_000)
        try fixture.tamper("ALTER TABLE documents ADD COLUMN priority INTEGER")
        let refused = try #require(throws: StoreError.self) { try StoreMigration.run(from: fixture.store, to: stores.target) }
        #expect(refused.message.contains("column 'priority' of table 'documents'"), "\(refused.message)")
    }

    @Test("the migration covers every table and column of the SQLite schema, and PostgreSQL has them all")
    func everyColumnIsCovered() throws {
        let stores = try Stores()
        let store = try ExecutionStore(path: stores.sqlitePath)
        try store.setLastFire(Date(), scheduleKey: "k", processID: "p")   // creates schedule_fires
        let sqlite = try SQLiteConnection(path: stores.sqlitePath, busyTimeoutMilliseconds: 1000)
        var tables: [String] = []
        try sqlite.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                         operation: "tables") { tables.append($0.text(0) ?? "") }
        #expect(Set(tables) == Set(MigratedTable.all.map(\.name)))
        _ = try ExecutionStore(postgres: stores.target)
        let postgres = try PostgresStoreConnection(location: stores.target, purpose: "test")
        for table in MigratedTable.all {
            var sqliteColumns: [String] = []
            if tables.contains(table.name) {
                try sqlite.query("PRAGMA table_info(\(table.name))", operation: "columns") { sqliteColumns.append($0.text(1) ?? "") }
            }
            var postgresColumns: [String] = []
            try postgres.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?1",
                               [.text(table.name)], operation: "columns") { postgresColumns.append($0.text(0) ?? "") }
            let copied = Set(table.columns.map(\.name))
            #expect(Set(sqliteColumns).subtracting(["rowid"]) == copied.subtracting(["rowid"]), "\(table.name)")
            #expect(copied.isSubset(of: Set(postgresColumns)), "\(table.name): \(postgresColumns)")
        }
    }
}
