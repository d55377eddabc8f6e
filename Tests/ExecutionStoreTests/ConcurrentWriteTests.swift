import Foundation
import Testing
import ExecutionStore

@Suite struct ConcurrentWriteTests {
    /// Two stores on one file behave like two host processes sharing the database.
    @Test func twoStoresAndEightWritersLoseNothing() async throws {
        let database = try TemporaryDatabase()
        let stores = [try ExecutionStore(path: database.path), try ExecutionStore(path: database.path)]
        let writers = 8, executionsPerWriter = 50, documentsPerExecution = 20

        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                let store = stores[writer % stores.count]
                group.addTask {
                    for number in 0..<executionsPerWriter {
                        let id = "w\(writer)-e\(number)"
                        var execution = ExecutionRecord(id: id, processID: "process-\(writer)", processName: "P",
                                                        trigger: "schedule",
                                                        startTime: date(Int64(writer * 1000 + number)))
                        try store.insert(execution)
                        try store.record(documents: (0..<documentsPerExecution).map { index in
                            DocumentRecord(executionID: id, shapeID: "insert", direction: "input", index: index,
                                           trackedValues: [TrackedValue(name: "orderId", value: "\(id)-d\(index)"),
                                                           TrackedValue(name: "writer", value: "\(writer)")])
                        })
                        execution.status = .complete
                        execution.documentsIn = documentsPerExecution
                        execution.documentsOut = documentsPerExecution
                        try store.update(execution)
                    }
                }
            }
            try await group.waitForAll()
        }

        let all = try stores[0].executions(ExecutionFilter(limit: 0))
        #expect(all.count == writers * executionsPerWriter)
        #expect(all.allSatisfy { $0.status == .complete && $0.documentsOut == documentsPerExecution })
        for writer in 0..<writers {
            let store = stores[(writer + 1) % stores.count]
            #expect(try store.executions(ExecutionFilter(processID: "process-\(writer)", limit: 0)).count
                    == executionsPerWriter)
            #expect(try store.searchTracked(field: "writer", value: "\(writer)", limit: 0).count
                    == executionsPerWriter * documentsPerExecution)
            let documents = try store.documents(executionID: "w\(writer)-e\(executionsPerWriter - 1)")
            #expect(documents.map(\.index) == Array(0..<documentsPerExecution))
        }
        let match = try stores[1].searchTracked(field: "orderId", value: "w3-e17-d5")
        #expect(match.map(\.execution.id) == ["w3-e17"])
    }

    /// Several hosts starting at once on a new file create the schema exactly once.
    @Test func storesOpenedAtOnceOnANewFileAllWork() async throws {
        let database = try TemporaryDatabase()
        let path = database.path
        let stores = try await withThrowingTaskGroup(of: ExecutionStore.self) { group in
            for _ in 0..<6 { group.addTask { try ExecutionStore(path: path) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for (number, store) in stores.enumerated() {
            try store.insert(ExecutionRecord(id: "e\(number)", processID: "p", processName: "P", trigger: "manual",
                                             startTime: date(Int64(number))))
        }
        #expect(try stores[0].executions(ExecutionFilter()).count == stores.count)
    }
}
