import Foundation
import Testing
@testable import ExecutionStore

@Suite struct ExecutionRecordTests {
    @Test func executionRoundTripsThroughInsertAndUpdate() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        var execution = ExecutionRecord(id: "exec-0001-aaaa", processID: "orders-to-bigquery",
                                        processName: "Orders to BigQuery", trigger: "manual",
                                        startTime: date(1_714_567_890_123))
        try store.insert(execution)
        #expect(try store.execution(id: execution.id) == execution)

        execution.status = .complete
        execution.endTime = date(1_714_567_899_001)
        execution.documentsIn = 12
        execution.documentsOut = 10
        execution.documentsError = 2
        execution.error = "row 3: field \"amount\" is not a number"
        execution.shapeCounts = [ShapeCount(shapeID: "start", documentsIn: 12, documentsOut: 12),
                                 ShapeCount(shapeID: "insert", documentsIn: 12, documentsOut: 10, documentsError: 2)]
        execution.userLog = ["loaded 12 orders", "2 rejected / see documents", "ünïcødé ✓"]
        try store.update(execution)

        let read = try #require(try store.execution(id: execution.id))
        #expect(read == execution)
        #expect(read.shapeCounts.map(\.shapeID) == ["start", "insert"])
        #expect(read.endTime == date(1_714_567_899_001))
    }

    @Test func updatingAnUnknownExecutionFails() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        let missing = ExecutionRecord(id: "nope", processID: "p", processName: "P", trigger: "manual",
                                      startTime: date(0))
        let error = try #require(throws: StoreError.self) { try store.update(missing) }
        #expect(error.description.contains("update execution nope"))
        #expect(error.description.contains("insert it first"))
    }

    @Test func insertingADuplicateIdReportsTheConstraintCode() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        let execution = ExecutionRecord(id: "dup", processID: "p", processName: "P", trigger: "manual",
                                        startTime: date(0))
        try store.insert(execution)
        let error = try #require(throws: StoreError.self) { try store.insert(execution) }
        if TemporaryDatabase.onPostgres {
            #expect(error.sqlState == "23505")  // unique_violation
        } else {
            #expect(error.code == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(error.codeName == "SQLITE_CONSTRAINT")
        }
        #expect(error.description.contains(database.path))
    }

    @Test func listingFiltersLimitsAndOrdersNewestFirst() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        for number in 0..<10 {
            try store.insert(ExecutionRecord(
                id: "exec-\(number)", processID: number.isMultiple(of: 2) ? "even" : "odd",
                processName: "Process", trigger: "schedule",
                status: number % 3 == 0 ? .error : .complete,
                startTime: date(1_700_000_000_000 + Int64(number) * 60_000)))
        }

        #expect(try store.executions(ExecutionFilter()).map(\.id) == (0..<10).reversed().map { "exec-\($0)" })
        #expect(try store.executions(ExecutionFilter(limit: 3)).map(\.id) == ["exec-9", "exec-8", "exec-7"])
        #expect(try store.executions(ExecutionFilter(processID: "even")).map(\.id)
                == ["exec-8", "exec-6", "exec-4", "exec-2", "exec-0"])
        #expect(try store.executions(ExecutionFilter(status: .error)).map(\.id)
                == ["exec-9", "exec-6", "exec-3", "exec-0"])
        #expect(try store.executions(ExecutionFilter(processID: "odd", status: .error, limit: 1)).map(\.id)
                == ["exec-9"])
        #expect(try store.executions(ExecutionFilter(processID: "none")).isEmpty)
        #expect(try store.executions(ExecutionFilter(limit: 0)).count == 10)
    }

    @Test func lookupAcceptsAUniquePrefixOfAtLeastEightCharacters() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        for id in ["3f2a9c1e-0001-4000-8000-000000000001", "3f2a9c1e-0002-4000-8000-000000000002",
                   "7b00d4e2-0003-4000-8000-000000000003"] {
            try store.insert(ExecutionRecord(id: id, processID: "p", processName: "P", trigger: "manual",
                                             startTime: date(0)))
        }
        #expect(try store.execution(id: "7b00d4e2")?.id == "7b00d4e2-0003-4000-8000-000000000003")
        #expect(try store.execution(id: "3f2a9c1e-0002")?.id == "3f2a9c1e-0002-4000-8000-000000000002")
        #expect(try store.execution(id: "7b00d4e") == nil)  // too short for a prefix
        #expect(try store.execution(id: "ffffffff") == nil)
        #expect(try store.execution(id: "7b00d4e*") == nil)  // wildcards are literal
        let error = try #require(throws: StoreError.self) { try store.execution(id: "3f2a9c1e") }
        #expect(error.description.contains("matches several executions"))
    }

    @Test func timestampsAreReadableUTCTextWithMilliseconds() throws {
        #expect(StoreTimestamp.text(from: date(0)) == "1970-01-01T00:00:00.000Z")
        #expect(StoreTimestamp.text(from: date(1_714_567_890_123)) == "2024-05-01T12:51:30.123Z")
        #expect(StoreTimestamp.text(from: date(-1)) == "1969-12-31T23:59:59.999Z")
        #expect(StoreTimestamp.text(from: date(951_782_400_000)) == "2000-02-29T00:00:00.000Z")
        for milliseconds: Int64 in [0, -1, 1_714_567_890_123, 951_782_400_000, 4_102_444_799_999] {
            #expect(StoreTimestamp.date(from: StoreTimestamp.text(from: date(milliseconds))) == date(milliseconds))
        }
        #expect(StoreTimestamp.date(from: "2024-05-01 12:51:30") == nil)
        #expect(StoreTimestamp.date(from: "2024-13-01T12:51:30.123Z") == nil)
    }
}
