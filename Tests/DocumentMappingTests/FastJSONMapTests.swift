import ConveyorBase
import Foundation
import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct FastJSONMapTests {
    static func compile(_ map: MapDefinition) throws -> CompiledMap {
        try CompiledMap(map: map, profiles: FastMapFixtures.profiles)
    }

    /// The tree path's bytes for a document, or nil when it fails.
    static func tree(_ map: CompiledMap, _ bytes: [UInt8]) -> [UInt8]? {
        try? map.transform(bytes, context: MapContext(), documentIndex: 0).bytes
    }

    @Test(arguments: [FastMapFixtures.benchMap, FastMapFixtures.rowMap, FastMapFixtures.looseMap,
                      FastMapFixtures.anyMap, FastMapFixtures.tableMap])
    func fastOutputEqualsTreeOutputForGeneratedOrders(_ definition: MapDefinition) throws {
        let map = try Self.compile(definition)
        let fast = try #require(map.fastPath)
        var generator = OrderGenerator(seed: UInt64(definition.id.utf8.count) * 7919)
        var scratch = FastJSONMap.Scratch()
        var treeHandled = 0
        var fastHandled = 0
        for id in 0..<10000 {
            let bytes = generator.document(id: id, malformed: id % 4 == 3)
            let expected = Self.tree(map, bytes)
            let actual = fast.transform(bytes, scratch: &scratch)
            if expected != nil { treeHandled += 1 }
            if let actual {
                fastHandled += 1
                #expect(actual == expected, "document \(id): \(String(decoding: bytes, as: UTF8.self))")
                if actual != expected { return }
                // Shapes after the map trust this (`Document.isKnownJSONObject`) and skip their own check.
                #expect(actual.withUnsafeBufferPointer { JSONBytes.isObject($0, maximumDepth: JSONParser.maximumDepth) },
                        "document \(id): the fast path's output is not one JSON object")
            }
        }
        // The fast path must actually carry most of the documents the tree path maps.
        #expect(treeHandled > 300, "tree \(treeHandled)")
        #expect(fastHandled * 10 > treeHandled * 6, "fast \(fastHandled) of \(treeHandled)")
    }

    /// Canonical and hostile variants of a flat row.
    static let flatDocuments: [String] = [
        #"{"id":1,"name":"a","amount":"1.5","pad":"0000000000000000000000000000000000000000000000000000000000000001"}"#,
        #"{"id":-0,"name":"customer-12","amount":"174.79","pad":"p"}"#,
        #"{"id":-0,"name":"customer-12","amount":"174.79","pad":"p","flag":false}"#,
        #"{"id":1e3,"name":"é ü","amount":"","pad":"x"}"#,
        #"{"id":2}"#,
        #"{"id":3,"flag":true}"#,
        #"{"id": 1,"name":"a"}"#,
        #"{"id":1 ,"name":"a"}"#,
        #"{"id":1,"name":"a"} "#,
        "{\"id\":1,\"name\":\"a\"}\n",
        #" {"id":1,"name":"a"}"#,
        #"{"name":"a","id":1}"#,
        #"{"id":1,"name":"a","extra":1}"#,
        #"{"extra":1,"id":1,"name":"a"}"#,
        #"{"id":1,"name":"a\"b"}"#,
        #"{"id":1,"name":"\u0061"}"#,
        #"{"id":1,"n\u0061me":"a"}"#,
        #"{"id":1,"name":null}"#,
        #"{"id":1,"name":"a","name":"b"}"#,
        #"{"id":1,"id":1}"#,
        #"{"id":1,"name":5}"#,
        #"{"id":"5","name":"a"}"#,
        #"{"id":1,"name":{"a":1}}"#,
        #"{"id":1,"name":["a"]}"#,
        #"{"id":1,"flag":"true"}"#,
        #"{"name":"a"}"#,
        #"{}"#,
        #"{"id":1,}"#,
        #"{"id":1,"name":"a""#,
        #"{"id":01}"#,
        #"[{"id":1}]"#,
        #"{"id":1,"name":"\#u{01}"}"#,
    ]

    @Test(arguments: [FastMapFixtures.identityMap, FastMapFixtures.identityTableMap, FastMapFixtures.reorderMap])
    func aDocumentThatIsItsOwnOutputIsLeftAsItIs(_ definition: MapDefinition) throws {
        let map = try Self.compile(definition)
        let fast = try #require(map.fastPath)
        var copying = FastJSONMap.Scratch()
        var unchanged: [String] = []
        for text in Self.flatDocuments {
            let bytes = Array(text.utf8)
            let expected = Self.tree(map, bytes)
            let actual = fast.transform(bytes, scratch: &copying)
            if let actual { #expect(actual == expected, "\(definition.id): \(text)") }
            var document = bytes
            let before = document.withUnsafeBufferPointer { $0.baseAddress }
            // A fresh scratch: a loop stops checking after documents that are not their own output.
            var inPlace = FastJSONMap.Scratch()
            let handled = fast.transform(&document, scratch: &inPlace)
            #expect(handled == (actual != nil), "\(definition.id): \(text)")
            #expect(document == (actual ?? bytes), "\(definition.id): \(text)")
            // Written, the output is in another buffer; left as it is, in the document's own.
            if handled, document.withUnsafeBufferPointer({ $0.baseAddress }) == before {
                unchanged.append(text)
                #expect(expected == bytes, "\(definition.id): left as it is, but the tree path writes something else: \(text)")
            }
        }
        switch definition.id {
        case "identity":
            // Booleans go through the converting writer, which writes them as they are: not verbatim.
            #expect(unchanged == [0, 1, 3, 4].map { Self.flatDocuments[$0] }, "the canonical documents without a boolean: \(unchanged)")
        case "reorder":
            // One member, or the members in the map's order.
            #expect(unchanged == [#"{"id":2}"#, #"{"name":"a","id":1}"#], "\(unchanged)")
        default:
            break
        }
    }

    @Test func aLoopOfSpacedDocumentsStopsCheckingAndStillMapsCompactOnes() throws {
        let map = try Self.compile(FastMapFixtures.identityMap)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        let compact = Array(#"{"id":1,"name":"a"}"#.utf8)
        func leftAsItIs() -> Bool {
            var document = compact
            let before = document.withUnsafeBufferPointer { $0.baseAddress }
            #expect(fast.transform(&document, scratch: &scratch))
            #expect(document == compact)
            return document.withUnsafeBufferPointer { $0.baseAddress } == before
        }
        #expect(leftAsItIs())
        for id in 0..<FastJSONMap.checksWithoutOwnOutput {
            var spaced = Array(#"{"id": \#(id), "name": "a"}"#.utf8)
            #expect(fast.transform(&spaced, scratch: &scratch))
            #expect(spaced == Array(#"{"id":\#(id),"name":"a"}"#.utf8))
        }
        #expect(!leftAsItIs(), "checked again after \(FastJSONMap.checksWithoutOwnOutput) spaced documents")
        scratch = FastJSONMap.Scratch()
        #expect(leftAsItIs())
    }

    @Test func inPlaceTransformReusesBuffersAndMatchesTheCopyingOne() throws {
        let map = try Self.compile(FastMapFixtures.benchMap)
        let fast = try #require(map.fastPath)
        var generator = OrderGenerator(seed: 17)
        var copying = FastJSONMap.Scratch()
        var inPlace = FastJSONMap.Scratch()
        for id in 0..<2000 {
            let bytes = generator.document(id: id, malformed: id % 5 == 4)
            let expected = fast.transform(bytes, scratch: &copying)
            var document = bytes
            let handled = fast.transform(&document, scratch: &inPlace)
            #expect(handled == (expected != nil))
            #expect(document == (expected ?? bytes), "document \(id)")
        }
    }

    @Test func benchDocumentIsMappedByteForByte() throws {
        let map = try Self.compile(FastMapFixtures.benchMap)
        let fast = try #require(map.fastPath)
        let input = #"{"id":7,"customer":{"name":"Ann Lee","country":"FR"},"items":[{"sku":"SKU-1","qty":2},{"qty":1}],"price":12.5,"placedAt":"2024-01-02T03:04:05Z"}"#
        var scratch = FastJSONMap.Scratch()
        let output = try #require(fast.transform(Array(input.utf8), scratch: &scratch))
        #expect(String(decoding: output, as: UTF8.self)
            == #"{"order_id":7,"customer":"ANN LEE","country":"FR","items":[{"sku":"SKU-1","qty":2},{"qty":1}],"total":12.5,"placed_at":"2024-01-02T03:04:05Z"}"#)
    }

    /// Each slot's captures are linked in document order, whatever order the slots came in: members
    /// in the profile's order or not, array elements with their members in either order, all give
    /// the tree path's bytes, whichever document came first in the scratch.
    @Test func capturesInAndOutOfSlotOrderGiveTheTreePathsBytes() throws {
        let map = try Self.compile(FastMapFixtures.benchMap)
        let fast = try #require(map.fastPath)
        let inOrder = [
            #"{"id":7,"customer":{"name":"Ann Lee","country":"FR"},"price":12.5,"placedAt":"2024-01-02T03:04:05Z"}"#,
            #"{"id":8,"customer":{"name":"Bo","country":"SE"},"items":[{"sku":"SKU-1","qty":2}],"price":1}"#,
        ]
        let outOfOrder = [
            #"{"price":12.5,"id":7,"placedAt":"2024-01-02T03:04:05Z","customer":{"country":"FR","name":"Ann Lee"}}"#,
            #"{"id":9,"items":[{"sku":"A","qty":1},{"sku":"B","qty":2},{"qty":3,"sku":"C"}],"price":2}"#,
        ]
        var scratch = FastJSONMap.Scratch()
        for round in 0..<3 {
            for text in (inOrder + outOfOrder).shuffled() {
                let bytes = Array(text.utf8)
                let output = try #require(fast.transform(bytes, scratch: &scratch), "round \(round): \(text)")
                #expect(output == Self.tree(map, bytes), "\(text)")
            }
        }
    }

    /// Plain integers are read without a call; every other number text (and every text that is
    /// not a number) must come out as the tree path decides, in read members and skipped ones.
    @Test func numberTextsGiveTheTreePathsAnswer() throws {
        let map = try Self.compile(FastMapFixtures.benchMap)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        var mapped = 0
        var refused = 0
        let numbers = ["0", "7", "-0", "-7", "007", "00", "0.5", "1.", "1.5", "1e5", "1E5", "1e", "1e+5", "1E-5",
                       "-", "--1", "+1", "12x", "1 2", "0x1F", "123456789012345678901234567890", "9.9e999", "1.0e-0"]
        for number in numbers {
            for text in [#"{"id":\#(number),"price":1}"#, #"{"id":1,"price":\#(number)}"#,
                         #"{"id":1,"items":[{"qty":\#(number)}],"extra":\#(number)}"#,
                         #"{"id":1,"extra":[\#(number)],"price":\#(number)}"#] {
                let bytes = Array(text.utf8)
                let expected = Self.tree(map, bytes)
                if expected == nil { refused += 1 }
                if let actual = fast.transform(bytes, scratch: &scratch) {
                    mapped += 1
                    #expect(actual == expected, "\(text)")
                } else {
                    // Left to the tree path: only documents it refuses, or values the fast path does not convert.
                    #expect(expected == nil || number.contains("e") || number.contains("E") || number.count > 18, "\(text)")
                }
            }
        }
        // Both kinds occur: numbers the fast path maps, and texts the tree path refuses.
        #expect(mapped > 30 && refused > 30, "mapped \(mapped), refused \(refused)")
    }

    @Test func memberOrderFollowsTheFirstRuleThatWrites() throws {
        let map = try Self.compile(FastMapFixtures.looseMap)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        // Without a country, /address is created by the /id rule, after /name.
        let input = Array(#"{"id":1,"customer":{"name":"a"},"items":[{"sku":" s "},{}],"price":2}"#.utf8)
        let output = try #require(fast.transform(input, scratch: &scratch))
        #expect(String(decoding: output, as: UTF8.self)
            == #"{"name":"A","address":{"ref":1},"buyer":{"name":"a"},"meta":{"lines":[{"sku":" s "},{}],"price":2},"lines":[{"code":"s"}]}"#)
        #expect(Self.tree(map, input) == output)
    }

    @Test func documentsTheFastPathLeavesAloneStillFailOrMapThroughTheTreePath() throws {
        let map = try Self.compile(FastMapFixtures.rowMap)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        // A required target that stays missing: left to the tree path, which reports it.
        let missing = Array(#"{"customer":{"name":"x"}}"#.utf8)
        #expect(fast.transform(missing, scratch: &scratch) == nil)
        #expect(throws: DocumentReadError.self) { _ = try map.transform(missing, context: MapContext(), documentIndex: 0) }
        // A number too long for the byte path's INT64 check: the tree path decides.
        let long = Array(#"{"id":12345678901234567890}"#.utf8)
        #expect(fast.transform(long, scratch: &scratch) == nil)
    }

    @Test func keysEqualOnlyByCanonicalEquivalenceAreLeftToTheTreePath() throws {
        let definition = MapDefinition(id: "k", fromProfile: "any", toProfile: "any",
                                       mappings: [FastMapFixtures.rule("/K", "/k")], location: FastMapFixtures.here)
        let map = try Self.compile(definition)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        let kelvin = Array("{\"\u{212A}\":1}".utf8)
        #expect(fast.transform(kelvin, scratch: &scratch) == nil)
        #expect(Self.tree(map, kelvin) == Array(#"{"k":1}"#.utf8))
        #expect(fast.transform(Array(#"{"K":2,"é":3}"#.utf8), scratch: &scratch) == nil)
        #expect(fast.transform(Array(#"{"K":2,"x":{"é":3}}"#.utf8), scratch: &scratch) == Array(#"{"k":2}"#.utf8))
    }

    @Test func mapsUsingOtherFeaturesHaveNoFastPath() throws {
        let base = FastMapFixtures.benchMap
        func variant(_ rules: [MappingRule], defaults: [MapDefault] = []) throws -> CompiledMap {
            try Self.compile(MapDefinition(id: "v", fromProfile: base.fromProfile, toProfile: base.toProfile,
                                           mappings: rules, defaults: defaults, location: FastMapFixtures.here))
        }
        #expect(try variant(base.mappings).fastPath != nil)
        #expect(try variant(base.mappings, defaults: [MapDefault(to: "/country", value: "FR", location: FastMapFixtures.here)])
            .fastPath == nil)
        let concat = MappingRule(from: "/id", to: "/customer", functions: [
            MapFunctionCall(name: "concat", arguments: [.literal("x")], location: FastMapFixtures.here),
        ], location: FastMapFixtures.here)
        #expect(try variant(base.mappings + [concat]).fastPath == nil)
        #expect(try variant([FastMapFixtures.rule("/items/*/qty", "/total", "sum")]).fastPath == nil)
        #expect(try variant([FastMapFixtures.rule("/items/*/sku", "/skus")]).fastPath == nil)
        #expect(try variant([FastMapFixtures.rule("/id", "/total"), FastMapFixtures.rule("/price", "/total")]).fastPath == nil)
        #expect(try variant([FastMapFixtures.rule("/items/0/sku", "/customer")]).fastPath == nil)
    }

    @Test func documentsWithMoreValuesThanTheCaptureBufferAreScannedAgainInAGrownOne() throws {
        let map = try Self.compile(FastMapFixtures.benchMap)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        // 2 captures per item: 30 fit the first buffer, 300 need it grown twice; small ones follow.
        for count in [30, 300, 1, 2000, 0] {
            let items = (0..<count).map { #"{"sku":"S-\#($0)","qty":\#($0 % 7)}"# }.joined(separator: ",")
            let input = Array(#"{"id":\#(count),"customer":{"name":"Al","country":"NL"},"items":[\#(items)],"price":1}"#.utf8)
            let output = try #require(fast.transform(input, scratch: &scratch), "\(count) items")
            #expect(Self.tree(map, input) == output, "\(count) items")
            #expect(String(decoding: output, as: UTF8.self).hasPrefix(#"{"order_id":\#(count),"customer":"AL""#))
        }
    }

    @Test func outputsLargerThanTheWorkingBufferAreWrittenAgainInAGrownOne() throws {
        let definition = MapDefinition(id: "grow", fromProfile: "any", toProfile: "any", mappings: [
            FastMapFixtures.rule("/list/*", "/a_rather_long_member_name/*/with_an_even_longer_key_for_each_element"),
            FastMapFixtures.rule("/name", "/name", "trim", "uppercase"),
            FastMapFixtures.rule("/name", "/lower", "lowercase", "trim"),
        ], location: FastMapFixtures.here)
        let map = try Self.compile(definition)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        for count in [1, 10, 100, 1000, 3] {
            let list = (0..<count).map { "\($0 % 10)" }.joined(separator: ",")
            let input = Array(#"{"name":"  Mixed Case x  ","list":[\#(list)]}"#.utf8)
            let output = try #require(fast.transform(input, scratch: &scratch), "\(count) elements")
            #expect(output.count > 2 * input.count + 64 || count < 10)
            #expect(Self.tree(map, input) == output, "\(count) elements")
            #expect(String(decoding: output.prefix(40), as: UTF8.self) == #"{"a_rather_long_member_name":[{"with_an_"#)
            #expect(String(decoding: output, as: UTF8.self).hasSuffix(#"],"name":"MIXED CASE X","lower":"mixed case x"}"#))
        }
    }

    /// The eight-bytes-at-once case change agrees with the byte-by-byte rule for every byte value
    /// in every position of the word, whatever its neighbours are.
    @Test func caseFlipOfAWordEqualsTheByteRule() {
        let cases: [(UInt8, UInt8)] = [(UInt8(ascii: "a"), UInt8(ascii: "z")), (UInt8(ascii: "A"), UInt8(ascii: "Z"))]
        let neighbours: [UInt8] = [0x00, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0x7F, 0x80, 0xC1, 0xE1, 0xFA, 0xFF]
        for (first, last) in cases {
            for value in 0...255 {
                for position in 0..<8 {
                    for neighbour in neighbours {
                        var bytes = [UInt8](repeating: neighbour, count: 8)
                        bytes[position] = UInt8(value)
                        let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                        let flipped = withUnsafeBytes(of: FastOutput.flipCase(word, first, last)) { Array($0) }
                        let expected = bytes.map { $0 >= first && $0 <= last ? $0 ^ 0x20 : $0 }
                        if flipped != expected {
                            Issue.record("value \(value) at \(position) among \(neighbour): \(flipped) != \(expected)")
                            return
                        }
                    }
                }
            }
        }
    }

    /// `uppercase` and `lowercase` on names of every length from 0 to 40 (whole words, a tail, a
    /// short run in one word), of every printable ASCII character, give the tree path's bytes.
    @Test func recasedNamesOfEveryLengthGiveTheTreePathsBytes() throws {
        let definition = MapDefinition(id: "case", fromProfile: "any", toProfile: "any", mappings: [
            FastMapFixtures.rule("/name", "/upper", "uppercase"),
            FastMapFixtures.rule("/name", "/lower", "lowercase"),
        ], location: FastMapFixtures.here)
        let map = try Self.compile(definition)
        let fast = try #require(map.fastPath)
        var scratch = FastJSONMap.Scratch()
        let printable = (0x20...0x7E).map { UInt8($0) }.filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        for length in 0...40 {
            for shift in stride(from: 0, to: printable.count, by: 7) {
                let name = (0..<length).map { printable[($0 + shift) % printable.count] }
                // At the end of the document (read byte by byte) and followed by more (read a word at a time).
                for after in [#""}"#, #"","pad":"abcdefghijklmnop"}"#] {
                    let input = Array(#"{"name":""#.utf8) + name + Array(after.utf8)
                    let output = try #require(fast.transform(input, scratch: &scratch), "\(length) \(shift)")
                    #expect(Self.tree(map, input) == output, "\(String(decoding: input, as: UTF8.self))")
                }
            }
        }
    }
}
