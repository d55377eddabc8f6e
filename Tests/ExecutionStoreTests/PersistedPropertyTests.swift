import Foundation
import Testing
@testable import ExecutionStore

@Suite struct PersistedPropertyTests {
    @Test func storedValuesComeBackSortedAndReplaceEarlierOnes() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.persist(properties: ["lastRun": "2024-01-01", "cursor": "10"], processID: "p",
                          executionID: "e1", at: date(1_000))
        try store.persist(properties: ["lastRun": "2024-02-01"], processID: "p", executionID: "e2", at: date(2_000))
        try store.persist(properties: ["lastRun": "other"], processID: "q", executionID: "e3", at: date(3_000))

        let stored = try store.persistedProperties(processID: "p")
        #expect(stored == [
            PersistedProperty(processID: "p", name: "cursor", value: "10", executionID: "e1", updatedAt: date(1_000)),
            PersistedProperty(processID: "p", name: "lastRun", value: "2024-02-01", executionID: "e2",
                              updatedAt: date(2_000)),
        ])
        #expect(try store.persistedProperties(processID: "q").map(\.value) == ["other"])
        #expect(try store.persistedProperties(processID: "none").isEmpty)
    }

    @Test func resetRemovesOneNameOrAllOfAProcess() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.persist(properties: ["a": "1", "b": "2"], processID: "p", executionID: "e1")
        try store.persist(properties: ["a": "3"], processID: "q", executionID: "e2")

        #expect(try store.resetPersistedProperties(processID: "p", name: "a") == 1)
        #expect(try store.persistedProperties(processID: "p").map(\.name) == ["b"])
        #expect(try store.resetPersistedProperties(processID: "p", name: "missing") == 0)
        #expect(try store.resetPersistedProperties(processID: "p") == 1)
        #expect(try store.persistedProperties(processID: "p").isEmpty)
        #expect(try store.persistedProperties(processID: "q").map(\.value) == ["3"])
    }

    @Test func valuesSurviveReopeningTheFile() throws {
        let database = try TemporaryDatabase()
        do {
            let store = try ExecutionStore(path: database.path)
            try store.persist(properties: ["since": "2024-05-05T10:00:00Z"], processID: "p", executionID: "e1")
        }
        let reopened = try ExecutionStore(path: database.path)
        #expect(try reopened.persistedProperties(processID: "p").first?.value == "2024-05-05T10:00:00Z")
    }
}

@Suite struct FailedDocumentsTests {
    @Test func onlyFailedDocumentsAreRead_inOrder_upToTheLimit() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(ExecutionRecord(id: "e", processID: "p", processName: "P", trigger: "manual",
                                         status: .error, startTime: date(1_000)))
        var documents: [DocumentRecord] = []
        for index in 0..<10 {
            documents.append(DocumentRecord(executionID: "e", shapeID: "s", direction: "input", index: index,
                                            status: index % 3 == 0 ? .error : .success,
                                            error: index % 3 == 0 ? "bad \(index)" : nil,
                                            trackedValues: [TrackedValue(name: "n", value: "\(index)")],
                                            recordedAt: date(2_000)))
        }
        try store.record(documents: documents)
        let failed = try store.failedDocuments(executionID: "e")
        #expect(failed.map(\.index) == [0, 3, 6, 9])
        #expect(failed.map(\.error) == ["bad 0", "bad 3", "bad 6", "bad 9"])
        #expect(failed.map { $0.trackedValues.map(\.value) } == [["0"], ["3"], ["6"], ["9"]])
        #expect(try store.failedDocuments(executionID: "e", limit: 2).map(\.index) == [0, 3])
        #expect(try store.failedDocuments(executionID: "other").isEmpty)
    }
}
