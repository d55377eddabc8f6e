import Foundation
import Testing
@testable import ExecutionStore

/// Documents' contents captured at connector shapes (`document_contents`), on SQLite and PostgreSQL.
@Suite struct DocumentContentTests {
    static func content(_ execution: String, index: Int, direction: String = "input", status: DocumentStatus = .error,
                        bytes: String, cut: Bool = false, size: Int? = nil) -> DocumentContentRecord {
        DocumentContentRecord(executionID: execution, shapeID: "write", connectionID: "outbox", operationID: "send",
                              direction: direction, index: index, status: status, content: Array(bytes.utf8),
                              size: size, cut: cut, properties: ["disk.file": "a.jsonl", "quote": "\"x\""],
                              error: status == .error ? "disk full" : nil, errorCode: status == .error ? "connector" : nil,
                              recordedAt: date(1_714_000_000_123))
    }

    @Test("contents are stored and read back whole, by document, with or without their bytes")
    func storedAndRead() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("ex-1", startedAt: 1_000)
        let store = fixture.store
        let binary: [UInt8] = [0, 255, 10, 13]
        var raw = Self.content("ex-1", index: 2, bytes: "")
        raw.content = binary
        try store.record(contents: [
            Self.content("ex-1", index: 0, bytes: #"{"id": 1}"#),
            Self.content("ex-1", index: 1, direction: "input", status: .success, bytes: "abc", cut: true, size: 9000),
            Self.content("ex-1", index: 1, direction: "output", status: .success, bytes: "abcd"),
            raw,
        ])
        let all = try store.documentContents(executionID: "ex-1")
        #expect(all.map(\.index) == [0, 1, 1, 2])
        #expect(all[0] == Self.content("ex-1", index: 0, bytes: #"{"id": 1}"#))
        #expect(all[0].properties == ["disk.file": "a.jsonl", "quote": "\"x\""])
        #expect(all[0].error == "disk full" && all[0].errorCode == "connector" && all[0].status == .error)
        #expect(all[1].cut && all[1].size == 9000 && all[1].content == Array("abc".utf8))
        #expect(all.map(\.direction) == ["input", "input", "output", "input"])
        #expect(all[3].content == binary)
        let one = try store.documentContents(executionID: "ex-1", index: 1)
        #expect(one.map(\.direction) == ["input", "output"])
        let listed = try store.documentContents(executionID: "ex-1", withContent: false)
        #expect(listed.allSatisfy { $0.content.isEmpty })
        #expect(listed.map(\.storedSize) == [9, 3, 4, 4])
        #expect(try store.documentContents(executionID: "ex-1", index: 7).isEmpty)
        #expect(try store.documentContents(executionID: "nope").isEmpty)
    }

    @Test("properties are stored as compact JSON, keys in code point order, every value read back as it was")
    func propertiesText() throws {
        #expect(ExecutionStore.propertiesJSON([:]) == "{}")
        #expect(ExecutionStore.propertiesJSON(["b": "2", "a": "1", "B": "3", "a.b": "4", "é": "5", "Z": ""])
                    == #"{"B":"3","Z":"","a":"1","a.b":"4","b":"2","é":"5"}"#)
        // Hostile keys and values: quotes, backslashes, every control character, slashes, non-ASCII,
        // an emoji, a lone escape-looking text.
        let control = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let hostile = ["say \"hi\"": "back\\slash", "ctl": control, "path": "/a/b/../c", "ünï": "日本語 🚚",
                       "\u{0}": "\\u0041", "": "empty key", "nl\nkey": "tab\tvalue\r\n", "del": "\u{7F}"]
        let text = ExecutionStore.propertiesJSON(hostile)
        #expect(ExecutionStore.properties(fromJSON: text) == hostile)
        // The same text a JSON parser of another make reads.
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(parsed == hostile)
        #expect(text.contains(#""ctl":"\u0000\u0001"#) && text.contains(#"\b\t\n\u000b\f\r"#), "\(text)")
        #expect(!text.utf8.contains(where: { $0 < 0x20 }), "no raw control character: \(text)")
        // Many properties, generated: each read back as written.
        var many: [String: String] = [:]
        for number in 0..<500 { many["p\(number % 37)-\(number)"] = String(repeating: "v\"\\", count: number % 5) + "\(number)" }
        #expect(ExecutionStore.properties(fromJSON: ExecutionStore.propertiesJSON(many)) == many)
    }

    @Test("a content naming no stored execution is refused, and nothing of its batch is stored")
    func unknownExecutionIsRefused() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("ex-1", startedAt: 1_000)
        #expect(throws: StoreError.self) {
            try fixture.store.record(contents: [Self.content("ex-1", index: 0, bytes: "a"),
                                                Self.content("ghost", index: 0, bytes: "b")])
        }
        #expect(try fixture.store.documentContents(executionID: "ex-1").isEmpty)
    }

    @Test("retention removes contents with their executions; the audit chain still verifies")
    func purgedWithTheExecution() throws {
        let database = try TemporaryDatabase()
        let fixture = try AuditFixture(path: database.path)
        try fixture.addExecution("old", startedAt: 1_000)
        try fixture.addExecution("new", startedAt: 50_000)
        try fixture.store.record(contents: [Self.content("old", index: 0, bytes: "old content"),
                                            Self.content("new", index: 0, bytes: "new content")])
        #expect(try fixture.store.verifyChain().isIntact)
        let checkpoint = try fixture.store.purge(startedBefore: date(10_000), now: date(60_000))
        #expect(checkpoint.executionsPurged == 1)
        #expect(try fixture.store.documentContents(executionID: "old").isEmpty)
        #expect(try fixture.store.documentContents(executionID: "new").map(\.content) == [Array("new content".utf8)])
        #expect(try fixture.store.verifyChain().isIntact)
    }

    @Test("content kinds are sniffed, JSON is laid out with keys and numbers as written, cuts are counted")
    func sniffingAndLayout() {
        #expect(ContentSniffer.mediaType(of: Array(#" {"a": 1}"#.utf8)) == "application/json")
        #expect(ContentSniffer.mediaType(of: Array(#"{"a": "#.utf8), cut: true) == "application/json")
        #expect(ContentSniffer.mediaType(of: Array(#"{"a": "#.utf8)) == "text/plain; charset=utf-8")
        #expect(ContentSniffer.mediaType(of: Array("<a>1</a>".utf8)) == "application/xml")
        #expect(ContentSniffer.mediaType(of: Array("id,name\n1,x\n2,y\n".utf8)) == "text/csv; charset=utf-8")
        #expect(ContentSniffer.mediaType(of: Array("hello".utf8)) == "text/plain; charset=utf-8")
        #expect(ContentSniffer.mediaType(of: [0xFF, 0xFE, 0x00]) == "application/octet-stream")
        #expect(ContentSniffer.prettyJSON(Array(#"{"b":1.10,"a":[1, {}],"s":"x, {y}"}"#.utf8)) == """
            {
              "b": 1.10,
              "a": [
                1,
                {}
              ],
              "s": "x, {y}"
            }
            """)
        let kept = DocumentContentRecord.cutting(Array("abcdef".utf8), at: 4)
        #expect(kept.content == Array("abcd".utf8) && kept.size == 6 && kept.cut)
        #expect(DocumentContentRecord.cutting(Array("ab".utf8), at: 4).cut == false)
    }
}
