import Foundation
import Testing
@testable import ExecutionStore

@Suite struct DocumentRangeTests {
    private func openStore(_ database: borrowing TemporaryDatabase) throws -> ExecutionStore {
        let store = try ExecutionStore(path: database.path)
        try store.insert(ExecutionRecord(id: "exec-1", processID: "p", processName: "P", trigger: "manual",
                                         startTime: date(1_000)))
        return store
    }

    private func document(_ index: Int, shape: String = "send", direction: String = "input",
                          status: DocumentStatus = .success, error: String? = nil,
                          tracked: [TrackedValue] = [], at milliseconds: Int64 = 5_000,
                          count: Int = 1) -> DocumentRecord {
        DocumentRecord(executionID: "exec-1", shapeID: shape, connectionID: "files", operationID: "write",
                       direction: direction, index: index, status: status, error: error, trackedValues: tracked,
                       recordedAt: date(milliseconds), count: count)
    }

    /// The number of rows stored in the documents table.
    private func storedRows(_ database: borrowing TemporaryDatabase) throws -> Int {
        let raw = try openRaw(database.path)
        var rows = 0
        try raw.query("SELECT COUNT(*) FROM documents", operation: "inspect") { rows = $0.int(0) }
        return rows
    }

    @Test func anErrorAndATrackedDocumentSplitARun() throws {
        let database = try TemporaryDatabase()
        let store = try openStore(database)
        let documents = (0..<10).map { index in
            switch index {
            case 4: document(index, status: .error, error: "disk full")
            case 6: document(index, status: .applicationError, error: "HTTP 400")
            case 7: document(index, tracked: [TrackedValue(name: "orderId", value: "o-7")])
            default: document(index)
            }
        }
        try store.record(documents: documents)
        // 0-3, 4 (error), 5, 6 (application error), 7 (tracked), 8-9.
        #expect(try storedRows(database) == 6)
        #expect(try store.documents(executionID: "exec-1") == documents)
        #expect(try store.documentCount(executionID: "exec-1") == 10)
        #expect(try store.failedDocuments(executionID: "exec-1").map(\.index) == [4])
        let match = try #require(try store.searchTracked(field: "orderId", value: "o-7").first)
        #expect(match.document == documents[7])
    }

    @Test func twoShapesAndTwoDirectionsKeepTheirOwnRunsInShapeOrder() throws {
        let database = try TemporaryDatabase()
        let store = try openStore(database)
        let first = (0..<5).map { document($0, shape: "write") }
        let outputs = (0..<3).map { document($0, shape: "write", direction: "output") }
        let second = (0..<4).map { document($0, shape: "archive") }
        // Outputs recorded before inputs: read back inputs first.
        try store.record(documents: outputs + first + second)
        #expect(try storedRows(database) == 3)
        #expect(try store.documents(executionID: "exec-1") == first + outputs + second)
    }

    @Test func outOfOrderIndexesStartANewRunAndReadBackSorted() throws {
        let database = try TemporaryDatabase()
        let store = try openStore(database)
        try store.record(documents: [5, 6, 7, 2, 3, 9].map { document($0) })
        // 5-7, 2-3, 9.
        #expect(try storedRows(database) == 3)
        #expect(try store.documents(executionID: "exec-1").map(\.index) == [2, 3, 5, 6, 7, 9])
        #expect(try store.documents(executionID: "exec-1").allSatisfy { $0.count == 1 })
    }

    @Test func runsAcrossBatchesAndTimestampsReadBackOnceEach() throws {
        let database = try TemporaryDatabase()
        let store = try openStore(database)
        let early = (0..<3).map { document($0, at: 5_000) }
        let late = (3..<6).map { document($0, at: 6_000) }
        try store.record(documents: early)
        try store.record(documents: late)
        // A run never spans two batches or two recording times.
        try store.record(documents: [document(6, at: 6_000), document(7, at: 7_000)])
        #expect(try storedRows(database) == 4)
        #expect(try store.documents(executionID: "exec-1") == early + late
                + [document(6, at: 6_000), document(7, at: 7_000)])
        #expect(try store.documentCount(executionID: "exec-1") == 8)
    }

    @Test func aRecordStandingForSeveralDocumentsIsExpandedOnRead() throws {
        let database = try TemporaryDatabase()
        let store = try openStore(database)
        // A run of 3 joined by the next single record; an error "run" is stored one row per document.
        try store.record(documents: [document(0, count: 3), document(3),
                                     document(4, status: .error, error: "bad", count: 2)])
        #expect(try storedRows(database) == 3)
        let read = try store.documents(executionID: "exec-1")
        #expect(read == (0..<4).map { document($0) } + [document(4, status: .error, error: "bad"),
                                                         document(5, status: .error, error: "bad")])
    }

    @Test func aDocumentPassingAShapeTwiceIsReadInIndexOrderInsideTheRun() throws {
        let database = try TemporaryDatabase()
        let store = try openStore(database)
        let run = (0..<6).map { document($0) }
        let again = document(2, tracked: [TrackedValue(name: "pass", value: "2")], at: 8_000)
        try store.record(documents: run)
        try store.record(documents: [again])
        #expect(try store.documents(executionID: "exec-1") == Array(run[0...2]) + [again] + Array(run[3...]))
    }
}
