import Foundation
import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct FastScannerTests {
    let map: CompiledMap
    let fast: FastJSONMap

    init() throws {
        map = try CompiledMap(map: FastMapFixtures.anyMap, profiles: FastMapFixtures.profiles)
        fast = try #require(map.fastPath)
    }

    func run(_ text: String) -> String? {
        var scratch = FastJSONMap.Scratch()
        return fast.transform(Array(text.utf8), scratch: &scratch).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func readsThroughNestingWhitespaceAndSkippedValues() {
        let text = "\u{FEFF} {\n \"skip\" : [ {\"a\": [1, {\"b\": null}]}, \"}\", \"\\\"]\" ] ,\r\n\t\"a\" :\t\"v\" ,"
            + " \"b\" : { \"c\" : [ 1 , 2 ] } , \"list\" : [ \"Ab\" , \"ÉÀ\" , 3 ] } \n"
        #expect(run(text) == #"{"x":"v","y":{"z":[1,2],"a":"v"},"list":["ab","éà","3"]}"#)
    }

    @Test func escapesAreDecodedAndWrittenAsTheTreePathWritesThem() {
        let decoded = "\"q\\\"/é😀\\u0001\u{FFFD}\""
        #expect(run(#"{"a":"q\"\/\u00e9\ud83d\ude00\u0001\ud800"}"#) == "{\"x\":\(decoded),\"y\":{\"a\":\(decoded)}}")
        // An escaped key among the members read is left to the tree path; elsewhere it is fine.
        #expect(run(#"{"\u0061":1}"#) == nil)
        #expect(run(#"{"b":{"q":{"\u0061":1}}}"#) == "{}")
    }

    @Test func keysMatchedEightBytesAtATimeAgreeWithTheTreePath() throws {
        let bench = try CompiledMap(map: FastMapFixtures.benchMap, profiles: FastMapFixtures.profiles)
        let fast = try #require(bench.fastPath)
        func both(_ text: String) -> (fast: String?, tree: String?) {
            var scratch = FastJSONMap.Scratch()
            let bytes = Array(text.utf8)
            let tree = try? bench.transform(bytes, context: MapContext(), documentIndex: 0).bytes
            return (fast.transform(bytes, scratch: &scratch).map { String(decoding: $0, as: UTF8.self) },
                    tree.map { String(decoding: $0, as: UTF8.self) })
        }
        // Keys one byte longer or shorter than members (7, 8 and 9 bytes), and members at the very end.
        let handled = [
            #"{"idx":0,"id":1,"i":2,"placedA":"p","placedAtX":"q","placedAt":"r","customers":{},"#
                + #""customer":{"nam":1,"name":"n","names":2,"country":"c"},"price":2.5}"#,
            #"{"price":1,"id":7}"#,
            #"{"id":7}"#,
        ]
        for text in handled {
            let (fastOutput, treeOutput) = both(text)
            #expect(fastOutput != nil, "\(text)")
            #expect(fastOutput == treeOutput, "\(text)")
        }
        #expect(both(#"{"id":7}"#).fast == #"{"order_id":7}"#)
        // Repeated (short or long) and escaped member keys go to the tree path.
        for text in [#"{"id":1,"id":2}"#, #"{"id":1,"placedAt":"a","placedAt":"b"}"#, #"{"\u0069d":1}"#,
                     #"{"id":1,"placed\u0041t":"a"}"#] {
            #expect(both(text).fast == nil, "\(text)")
        }
    }

    @Test func containersAreRewrittenCompactWithTheLastOfRepeatedKeys() {
        #expect(run(#"{"a": {"k": 1, "k" : [ true ,null ] }}"#) == #"{"x":{"k":[true,null]},"y":{"a":{"k":[true,null]}}}"#)
        // A repeated key among the members read goes to the tree path.
        #expect(run(#"{"a":1,"a":2}"#) == nil)
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "{\"a\":1,}", "[1,]", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}", "{\"a\":\"x}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"tab\there\"}", "{\"a\":1} x", "{\"a\" 1}", "{a:1}",
        "{\"a\":[1 2]}", "{\"a\":-}", "{\"a\":1e}", "nul", "{\"list\":[\"a\",]}",
    ])
    func malformedJSONIsLeftToTheTreePathWhichReportsIt(_ text: String) throws {
        #expect(run(text) == nil)
        do {
            _ = try map.transform(Array(text.utf8), context: MapContext(), documentIndex: 0)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect("\(error)".contains("not valid JSON"))
        }
    }

    @Test func invalidUTF8AnywhereIsRejected() {
        for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xE0, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF]] {
            let bytes = Array(#"{"skip":""#.utf8) + bad + Array(#"","a":1}"#.utf8)
            var scratch = FastJSONMap.Scratch()
            #expect(fast.transform(bytes, scratch: &scratch) == nil)
            #expect((try? JSONParser.parse(bytes)) == nil)
        }
        #expect(run(#"{"skip":"é日😀","a":1}"#) == #"{"x":1,"y":{"a":1}}"#)
    }

    /// Strings are read eight bytes at a time and then byte by byte near the document's end: every
    /// length, every byte that ends the plain reading at every position, every distance from the end.
    @Test func stringsAgreeWithTheTreePathAtEveryLengthAndDistanceFromTheEnd() {
        let specials: [[UInt8]] = [[0x7F], [0x1F], [0x5C, 0x22], [0x5C, 0x6E], [0xC3, 0xA9], [0xFF], [0x22]]
        var handled = 0
        for length in 0...19 {
            for position in -1..<length {
                for special in (position < 0 ? [[]] : specials) {
                    for spaces in 0...9 {
                        var text = [UInt8](repeating: UInt8(ascii: "s"), count: length)
                        if position >= 0 { text.replaceSubrange(position..<position + 1, with: special) }
                        let bytes = Array(#"{"skip":1,"a":""#.utf8) + text + Array(#""}"#.utf8)
                            + [UInt8](repeating: 0x20, count: spaces)
                        var scratch = FastJSONMap.Scratch()
                        let fastOutput = fast.transform(bytes, scratch: &scratch)
                        let treeOutput = try? map.transform(bytes, context: MapContext(), documentIndex: 0).bytes
                        let label = String(decoding: bytes, as: UTF8.self)
                        if let fastOutput {
                            #expect(fastOutput == treeOutput, "\(label)")
                            handled += 1
                        } else if special.isEmpty || special == [0x7F] || special == [0xC3, 0xA9] {
                            Issue.record("a valid plain string was left to the tree path: \(label)")
                        } else if special != [0x5C, 0x22] && special != [0x5C, 0x6E] {
                            #expect(treeOutput == nil, "\(label)")
                        }
                    }
                }
            }
        }
        // Every valid document is handled: no special, or 0x7F, é, \" or \n at each position (1 + 4 × length
        // documents a length), each with 0 to 9 spaces after it.
        #expect(handled == (0...19).reduce(0) { $0 + (1 + 4 * $1) * 10 })
    }

    /// Integers and decimal fractions are read inline, every other number by the general reader:
    /// both agree with the tree path, at the document's end and before another member.
    @Test func numbersAgreeWithTheTreePath() {
        let numbers = ["0", "7", "12", "174.79", "0.5", "0.05", "10.0", "-0", "-1", "-1.5", "01", "00.5", "1.", "1.x",
                       ".5", "1.5e3", "1.5E-3", "1e5", "0e0", "1.2.3", "1..2", "1.5x", "99999999999999999999.25", "2.",
                       "3.1415926535897932384626"]
        var handled = 0
        for number in numbers {
            for tail in ["}", ",\"skip\":1}", " }", "}  "] {
                let bytes = Array(#"{"a":"#.utf8) + Array(number.utf8) + Array(tail.utf8)
                var scratch = FastJSONMap.Scratch()
                let fastOutput = fast.transform(bytes, scratch: &scratch)
                let treeOutput = try? map.transform(bytes, context: MapContext(), documentIndex: 0).bytes
                let label = String(decoding: bytes, as: UTF8.self)
                #expect(fastOutput == treeOutput, "\(label)")
                if fastOutput != nil { handled += 1 }
            }
        }
        // 16 of the numbers are valid JSON, each in four documents.
        #expect(handled == 16 * 4)
    }

    @Test func nestingDeeperThanTheParserAcceptsIsRefused() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(run(#"{"skip":"# + deep + "}") == nil)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(run(#"{"skip":"# + fine + "}") == "{}")
    }
}
