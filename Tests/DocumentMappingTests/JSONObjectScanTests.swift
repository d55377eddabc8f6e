import ConveyorBase
import DocumentMapping
import Testing

/// `JSONBytes.isObject` (the scan that lets a writer send a document's own bytes) against the tree
/// parser, over generated documents and their mutations: whenever the scan says "a valid object",
/// the parser reads an object; whenever the parser reads an object from text without a byte order
/// mark, the scan says so too.
@Suite struct JSONObjectScanTests {
    /// A small deterministic generator (xorshift), so a failure repeats.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
    }

    static let pieces = ["0", "-1", "12.5e3", "true", "false", "null", #""text""#, #""a\"b\\c\u00e9""#, #""naïve ✓""#, "1E-2"]

    static func value(_ random: inout Random, depth: Int) -> String {
        let space = [" ", "", "\n", "\t", ""][random.next(5)]
        switch depth > 3 ? 0 : random.next(4) {
        case 0: return pieces[random.next(pieces.count)]
        case 1: return "[" + space + (0..<random.next(4)).map { _ in value(&random, depth: depth + 1) }.joined(separator: "," + space) + "]"
        default: return object(&random, depth: depth + 1)
        }
    }

    static func object(_ random: inout Random, depth: Int) -> String {
        let members = (0..<random.next(5)).map { index in #""k\#(index)" : "# + value(&random, depth: depth) }
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func scan(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { JSONBytes.isObject($0, maximumDepth: JSONParser.maximumDepth) }
    }

    static func parsesToObject(_ bytes: [UInt8]) -> Bool {
        if case .object? = try? JSONParser.parse(bytes) { return true }
        return false
    }

    @Test func generatedObjectsAndTheirMutationsAreJudgedAsTheParserJudgesThem() {
        var random = Random(state: 0x9E37_79B9_7F4A_7C15)
        var agreed = 0, accepted = 0
        let noise: [UInt8] = Array(#"{}[]",:\ 0-eE.tfn"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF, 0x7F]
        for _ in 0..<3_000 {
            let text = " " + Self.object(&random, depth: 0) + "\n"
            let bytes = Array(text.utf8)
            #expect(Self.scan(bytes), "\(text)")
            #expect(Self.parsesToObject(bytes), "\(text)")
            for _ in 0..<5 {
                var mutated = bytes
                let at = random.next(mutated.count)
                switch random.next(3) {
                case 0: mutated.remove(at: at)
                case 1: mutated.insert(noise[random.next(noise.count)], at: at)
                default: mutated[at] = noise[random.next(noise.count)]
                }
                let scanned = Self.scan(mutated), parsed = Self.parsesToObject(mutated)
                #expect(scanned == parsed, "scan \(scanned), parser \(parsed): \(String(decoding: mutated, as: UTF8.self))")
                if scanned == parsed { agreed += 1 }
                if scanned { accepted += 1 }
            }
        }
        // Both outcomes were exercised.
        #expect(agreed == 15_000)
        #expect(accepted > 500 && accepted < 14_500, "\(accepted) mutations still objects")
    }

    @Test func whatIsNotAPlainObjectIsLeftToTheParser() {
        for text in ["[1]", "\"x\"", "1", "", " ", "{", "{}}", "{} {}", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}",
                     "{\"a\":01}", "{\"a\":\"\u{1}\"}", "{\"a\":tru}", "\u{FEFF}{}", "<order/>"] {
            #expect(!Self.scan(Array(text.utf8)), "\(text)")
        }
        let deep = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(Self.scan(Array("{\"a\":\(deep.dropFirst().dropLast())}".utf8)))
        #expect(!Self.scan(Array("{\"a\":\(deep)}".utf8)))
        #expect(!Self.parsesToObject(Array("{\"a\":\(deep)}".utf8)))
    }
}
