import ExecutionStore
import Foundation
import Testing

/// `number` tracked fields are stored and searched in one canonical text.
@Suite struct TrackedNumberTests {
    @Test("canonical text", arguments: [
        ("1", "1"), ("1.0", "1"), ("01", "1"), ("1e0", "1"), ("1E+0", "1"), ("+1", "1"), (" 1 ", "1"), ("10e-1", "1"),
        ("100", "100"), ("1e2", "100"), ("1.5", "1.5"), ("15e-1", "1.5"), ("-0.0010", "-0.001"), ("-0", "0"),
        ("0.0", "0"), (".5", "0.5"), ("5.", "5"), ("12345678901234567890123", "12345678901234567890123"),
    ])
    func canonical(_ pair: (String, String)) {
        #expect(TrackedNumber.canonical(pair.0) == pair.1, "\(pair.0)")
    }

    @Test("text that is not a number has no canonical form", arguments: ["", "abc", "1a", "1e", "e1", ".", "1.2.3", "--1", "0x10", "1e999999", "1 2"])
    func notNumbers(_ text: String) {
        #expect(TrackedNumber.canonical(text) == nil, "\(text)")
    }

    @Test("a search for 1.0, 1e0 or 01 finds the value stored as 1")
    func searchNormalisesNumbers() throws {
        let database = try TemporaryDatabase()
        let store = try ExecutionStore(path: database.path)
        try store.insert(ExecutionRecord(id: "ex", processID: "p", processName: "P", trigger: "manual", startTime: Date()))
        try store.record(documents: ["1", "2", "10"].enumerated().map { index, value in
            DocumentRecord(executionID: "ex", shapeID: "s", direction: "input", index: index,
                           trackedValues: [TrackedValue(name: "amount", value: value)], recordedAt: Date())
        })
        for query in ["1", "1.0", "1e0", "01", "+1", "10e-1"] {
            #expect(try store.searchTracked(field: "amount", value: query, numeric: true).map(\.document.index) == [0], "\(query)")
        }
        #expect(try store.searchTracked(field: "amount", value: "1e1", numeric: true).map(\.document.index) == [2])
        #expect(try store.searchTracked(field: "amount", value: "3", numeric: true).isEmpty)
        // Without `numeric` (a character field) the text is compared as written.
        #expect(try store.searchTracked(field: "amount", value: "1.0").isEmpty)
    }
}
