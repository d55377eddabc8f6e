import ExecutionModel
import Foundation
import Testing
@testable import ExecutionStore

/// The `shape_counts` and `user_log` columns are written without `JSONEncoder`; their text must be
/// byte for byte what the encoder wrote (the audit chain seals it, and older rows hold it).
@Suite("store columns' JSON")
struct ColumnJSONTests {
    private func encoded<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { ColumnKey(spelling: $0.last, from: "shapeId", to: "shapeID") }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Every scalar but the surrogates, in runs of 512 per string, and the awkward ASCII ones alone.
    private var hostileStrings: [String] {
        var strings = ["", "/", "\\", "\"", "a/b\\c\"d", "\u{7F}", "\u{0}", "line\nbreak\r\ttab\u{8}\u{C}", "\u{2028}\u{2029}",
                       "é", "😀", "../x\nfailed document 99", "\u{1B}[2J\u{9B}"]
        var run = ""
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            run.unicodeScalars.append(scalar)
            if run.unicodeScalars.count == 512 {
                strings.append(run)
                run = ""
            }
        }
        strings.append(run)
        return strings
    }

    @Test("shape counts are written as JSONEncoder wrote them")
    func shapeCountsMatchTheEncoder() throws {
        var generator = SystemRandomNumberGenerator()
        var counts: [ShapeCount] = []
        for (position, id) in hostileStrings.enumerated() {
            counts.append(ShapeCount(shapeID: id, documentsIn: position % 3 == 0 ? 0 : Int.random(in: 0...Int.max, using: &generator),
                                     documentsOut: position, documentsError: position % 5 == 0 ? Int.max : position * 7))
        }
        #expect(ExecutionStore.shapeCountsJSON([]) == (try encoded([ShapeCount]())))
        #expect(ExecutionStore.shapeCountsJSON(Array(counts.prefix(1))) == (try encoded(Array(counts.prefix(1)))))
        let written = ExecutionStore.shapeCountsJSON(counts)
        #expect(written == (try encoded(counts)))
        #expect(written.hasPrefix(#"[{"documentsError":9223372036854775807,"documentsIn":0,"documentsOut":0,"shapeID":""},"#),
                "\(written.prefix(120))")
    }

    @Test("user log lines are written as JSONEncoder wrote them")
    func userLogMatchesTheEncoder() throws {
        let lines = hostileStrings
        #expect(ExecutionStore.userLogJSON([]) == (try encoded([String]())))
        #expect(ExecutionStore.userLogJSON(["one"]) == #"["one"]"#)
        #expect(ExecutionStore.userLogJSON(lines) == (try encoded(lines)))
    }
}
