import Foundation
import Testing
import ExecutionStore

@Suite struct ExportTests {
    private func export(_ store: ExecutionStore, _ filter: TrackedExportFilter = TrackedExportFilter()) throws -> [TrackedRecord] {
        var records: [TrackedRecord] = []
        try store.exportTracked(filter) { records.append($0) }
        return records
    }

    @Test func exportsEveryRecordInChainOrderWithItsHash() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000, documents: 2)
        try fixture.addExecution("exec-b", process: "refunds", startedAt: 5_000, documents: 1)

        let records = try export(fixture.store)
        // Each execution's own record (5 and 8) follows its tracked values in the chain.
        #expect(records.map(\.sequence) == [1, 2, 3, 4, 6, 7])
        #expect(records[0] == TrackedRecord(sequence: 1, executionID: "exec-a", processID: "orders", shapeID: "insert",
                                            direction: "input", documentIndex: 0, status: "success", field: "orderId",
                                            value: "exec-a-order-0", cut: false, recordedAt: "1970-01-01T00:00:01.010Z",
                                            chainHash: records[0].chainHash))
        #expect(try fixture.store.verifyChain().headSequence == 8)
    }

    @Test func filtersByFieldProcessAndTime() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("exec-a", startedAt: 1_000, documents: 2)
        try fixture.addExecution("exec-b", process: "refunds", startedAt: 5_000, documents: 1)

        let byField = try export(fixture.store, TrackedExportFilter(field: ("orderId", "exec-a-order-1")))
        #expect(byField.map(\.field) == ["orderId", "customer"])
        #expect(byField.map(\.value) == ["exec-a-order-1", "c1"])
        #expect(try export(fixture.store, TrackedExportFilter(processID: "refunds")).map(\.executionID)
                == ["exec-b", "exec-b"])
        #expect(try export(fixture.store, TrackedExportFilter(from: date(5_010))).count == 2)
        #expect(try export(fixture.store, TrackedExportFilter(to: date(5_010))).count == 4)
        #expect(try export(fixture.store, TrackedExportFilter(field: ("orderId", "exec-a-order-1"),
                                                               processID: "refunds")).isEmpty)
    }

    @Test func csvIsQuotedAsRFC4180() {
        var record = TrackedRecord(sequence: 7, executionID: "e", processID: "p", shapeID: "s", direction: "input",
                                   documentIndex: 3, status: "success", field: "note", value: "a \"big\", odd\r\nvalue",
                                   cut: true, recordedAt: "2024-05-01T12:00:00.000Z", chainHash: "ab")
        #expect(TrackedRecord.csvHeader.hasSuffix("recorded_at,chain_hash\r\n"))
        #expect(record.csvLine == "7,e,p,s,input,3,success,note,\"a \"\"big\"\", odd\r\nvalue\",true,"
                + "2024-05-01T12:00:00.000Z,ab\r\n")
        record.value = "plain"
        #expect(record.csvLine.contains(",note,plain,true,"))
    }

    @Test func jsonLinesAreValidJSONOnOneLine() throws {
        let record = TrackedRecord(sequence: 7, executionID: "e", processID: "p", shapeID: "s", direction: "input",
                                   documentIndex: 3, status: "success", field: "note",
                                   value: "quote \" slash \\ line\nbell \u{07} é <script>",
                                   cut: false, recordedAt: "2024-05-01T12:00:00.000Z", chainHash: "ab")
        let line = record.jsonLine
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["value"] as? String == record.value)
        #expect(object["sequence"] as? Int == 7)
        #expect(object["documentIndex"] as? Int == 3)
        #expect(object["cut"] as? Bool == false)
        #expect(object["chainHash"] as? String == "ab")
        #expect(Set(object.keys) == ["sequence", "executionId", "processId", "shapeId", "direction", "documentIndex",
                                     "status", "field", "value", "cut", "recordedAt", "chainHash"])
    }
}
