import ConveyorBase
@testable import BigQuery
import DocumentMapping
import Testing

@Suite("query result rows read from the bytes")
struct FastResultRowsTests {
    /// Cell texts per schema type, as JSON tokens: most the tree path writes unchanged, some it
    /// converts (exponents, NaN, epoch seconds, escapes), some it refuses.
    static let cells: [String: [String]] = [
        "INTEGER": [#""1""#, #""-42""#, #""9223372036854775807""#, #""007""#, #""1.5""#, #""""#, "null", #""\u0031""#],
        "FLOAT": [#""2.5""#, #""1e10""#, #""-0.0""#, #""NaN""#, #""Infinity""#, #""-inf""#, #"".5""#, #""1.""#, "null", #""x""#],
        "NUMERIC": [#""12.25""#, #""0E-9""#, #""1.5E+2""#, #""-3""#, "null"],
        "BOOLEAN": [#""true""#, #""false""#, #""TRUE""#, #""yes""#, "null"],
        "STRING": [#""plain""#, #""""#, #""Zoë Straße 東京""#, #""quote \" and \\ and \n""#, #""\u00e9\/""#,
                   #""tab\tend""#, "null", #""<a href=\u0022x\u0022>""#],
        "TIMESTAMP": [#""1.7E9""#, #""1700000000123456""#, #""1700000000.5""#, #""-1.5""#, #""bad""#, "null",
                      #""-1700000000000001""#, #""0""#, #""-0""#, #""007""#, #""999999999999999999""#,
                      #""9223372036854775807""#, #""-""#, #""""#, #""1700000000000000\u0030""#],
        "JSON": [#""{\"a\":[1,2.5,null]}""#, #""not json""#, #""\"text\"""#, "null"],
        "DATE": [#""2026-11-20""#, "null"],
    ]
    static let types = cells.keys.sorted()

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    /// A page of `rows` rows over `types`, compact or spaced, now and then with a row or cell in
    /// another form (numbers as cells, an extra member, a missing `v`, a cell too few).
    static func page(types: [String], names: [String], rows: Int, spaced: Bool, odd: Bool,
                     using generator: inout Generator) -> String {
        let gap = spaced ? " " : ""
        let fields = zip(names, types).map { #"{"name":"\#($0)","type":"\#($1)"}"# }.joined(separator: ",")
        var lines: [String] = []
        for _ in 0..<rows {
            var cells = types.map { type in
                "{\(gap)\"v\"\(gap):\(gap)\(Self.cells[type]?.randomElement(using: &generator) ?? "null")\(gap)}"
            }
            if odd {
                switch Int.random(in: 0..<12, using: &generator) {
                case 0: cells[0] = #"{"v":12}"#
                case 1: cells[0] = #"{"v":"1","w":2}"#
                case 2: cells[0] = "{}"
                case 3: cells.removeLast()
                default: break
                }
            }
            var row = "{\(gap)\"f\"\(gap):\(gap)[\(cells.joined(separator: ",\(gap)"))]\(gap)}"
            if odd, Int.random(in: 0..<20, using: &generator) == 0 { row = #"{"g":1,"f":[]}"# }
            lines.append(row)
        }
        let token = Bool.random(using: &generator) ? #","pageToken":"next""# : ""
        return #"{"kind":"bigquery#getQueryResultsResponse","schema":{"fields":[\#(fields)]},"#
            + #""jobComplete":true,"totalRows":"\#(rows)"\#(token),"rows":\#(gap)[\#(lines.joined(separator: ",\n"))]}"#
    }

    /// What the tree path writes for each row of `body`, or nil when it refuses the page.
    static func treeRows(_ body: [UInt8]) -> [[UInt8]]? {
        guard let page = try? QueryResultsPage.parse(body), let fields = page.fields,
              let values = try? RowDecoder(fields: fields).decode(rows: page.rows) else { return nil }
        return values.map { $0.serialized() }
    }

    static func fastRows(_ body: [UInt8]) -> [[UInt8]]? {
        guard let (page, range) = QueryResultsPage.parseLeavingRows(body),
              let fields = page.fields, let fast = FastResultRows(fields: fields) else { return nil }
        return fast.rows(in: body, at: range)
    }

    @Test("generated pages: whenever the bytes are read directly, every row equals the tree path's")
    func agreesWithTheTreePath() throws {
        var generator = Generator(state: 19)
        var fast = 0
        var refused = 0
        for round in 0..<1_500 {
            let count = Int.random(in: 1...5, using: &generator)
            let types = (0..<count).map { _ in Self.types.randomElement(using: &generator) ?? "STRING" }
            let names = (0..<count).map { "c\($0)" + (Bool.random(using: &generator) ? "é" : "") }
            let text = Self.page(types: types, names: names, rows: Int.random(in: 0...4, using: &generator),
                                 spaced: round % 3 == 0, odd: round % 4 == 0, using: &generator)
            let body = Array(text.utf8)
            let tree = Self.treeRows(body)
            guard let direct = Self.fastRows(body) else {
                refused += 1
                continue
            }
            fast += 1
            #expect(tree != nil, "the direct read accepted a page the tree path refuses: \(text)")
            if let tree, direct != tree {
                let first = zip(direct, tree).first { $0 != $1 }
                Issue.record("rows differ: \(String(decoding: first?.0 ?? [], as: UTF8.self)) against \(String(decoding: first?.1 ?? [], as: UTF8.self)) in \(text)")
            }
        }
        #expect(fast > 700, "most pages are read directly (\(fast) of 1,500)")
        #expect(refused > 50, "pages in other forms take the tree path (\(refused))")
    }

    @Test("damaged pages (bytes dropped, doubled or replaced by brackets, quotes, backslashes): rows read directly only when the tree path reads the same rows")
    func damagedPagesAreNeverReadDifferently() {
        var generator = Generator(state: 23)
        let damage: [UInt8] = Array(#"[]{}",\: x0"#.utf8)
        var direct = 0
        var refused = 0
        for _ in 0..<6_000 {
            let count = Int.random(in: 1...3, using: &generator)
            let types = (0..<count).map { _ in Self.types.randomElement(using: &generator) ?? "STRING" }
            var body = Array(Self.page(types: types, names: (0..<count).map { "c\($0)" }, rows: Int.random(in: 1...3, using: &generator),
                                       spaced: Bool.random(using: &generator), odd: false, using: &generator).utf8)
            // Damage inside the rows array (it starts at the last "rows" member).
            let rowsStart = (body.indices.reversed().first { body[$0] == UInt8(ascii: "[") && $0 > 8
                && body[($0 - 7)..<$0].elementsEqual(#""rows":"#.utf8) }) ?? 0
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                let at = Int.random(in: rowsStart..<body.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: body.remove(at: at)
                case 1: body.insert(body[at], at: at)
                default: body[at] = damage.randomElement(using: &generator) ?? 0
                }
            }
            let tree = Self.treeRows(body)
            guard let fast = Self.fastRows(body) else {
                refused += 1
                continue
            }
            direct += 1
            #expect(fast == tree, "\(String(decoding: body, as: UTF8.self))")
        }
        // Most damage makes the page invalid; some (a digit for a digit, a doubled space) does not.
        #expect(refused > 3_000)
        #expect(direct > 100)
    }

    @Test("skipping a container by its brackets ends where the validating scan ends, on valid JSON")
    func uncheckedContainerEnd() {
        func ends(_ text: String) -> (checked: Int?, unchecked: Int?) {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer {
                (JSONBytes.valueEnd($0, from: 0, depth: 1, maximumDepth: 512),
                 JSONBytes.containerEndUnchecked($0, from: 0, maximumDepth: 512))
            }
        }
        for text in [#"[]"#, #"{}"#, #"[{"a":"]}"},"\"]",[[],{}]] tail"#, #"{"k":"\\"}"#, #"[ "x\"y" , 1 ]"#,
                     String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            let (checked, unchecked) = ends(text)
            #expect(checked != nil && checked == unchecked, "\(text)")
        }
        // Brackets that do not match, and input that ends first: nil. Other damage is not its business.
        for text in [#"[}"#, #"{]"#, #"[{]}"#, #"["]"#, #"[[]"#, "[", "x"] {
            #expect(ends(text).unchecked == nil, "\(text)")
        }
        #expect(ends(#"[1 2 }{ "#).unchecked == nil)
        #expect(ends(#"[tru, , ]"#).unchecked == 9)
        // Deeper than the bit stack: the validating scan answers, and keeps its depth limit.
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(ends(deep).unchecked == 140)
        let tooDeep = Array((String(repeating: "[", count: 600) + String(repeating: "]", count: 600)).utf8)
        #expect(tooDeep.withUnsafeBufferPointer { JSONBytes.containerEndUnchecked($0, from: 0, maximumDepth: 512) } == nil)
    }

    @Test("cells the tree path converts (epoch seconds, NaN, exponents, escapes, JSON) are converted one by one, and the page is still read directly")
    func convertedCells() throws {
        let text = #"{"schema":{"fields":[{"name":"ts","type":"TIMESTAMP"},{"name":"f","type":"FLOAT"},"#
            + #"{"name":"n","type":"NUMERIC"},{"name":"s","type":"STRING"},{"name":"j","type":"JSON"}]},"jobComplete":true,"#
            + #""rows":[{"f":[{"v":"1.7E9"},{"v":"NaN"},{"v":"1.5E+2"},{"v":"a\"b\u00e9"},{"v":"{\"k\":[1,null]}"}]},"#
            + #"{"f":[{"v":"1700000000123456"},{"v":"-inf"},{"v":"0E-9"},{"v":"x\ny"},{"v":null}]}]}"#
        let body = Array(text.utf8)
        let direct = try #require(Self.fastRows(body))
        #expect(direct == Self.treeRows(body))
        #expect(String(decoding: direct[0], as: UTF8.self)
                == #"{"ts":"2023-11-14T22:13:20Z","f":"NaN","n":"150","s":"a\"bé","j":{"k":[1,null]}}"#)
    }

    @Test("the rest of the page reads as the tree path reads it")
    func restOfThePage() throws {
        var generator = Generator(state: 7)
        let text = Self.page(types: ["STRING", "INTEGER"], names: ["name", "id"], rows: 3, spaced: true, odd: false,
                             using: &generator)
        let body = Array(text.utf8)
        let tree = try QueryResultsPage.parse(body)
        let (page, range) = try #require(QueryResultsPage.parseLeavingRows(body))
        #expect(page.rows.isEmpty)
        #expect(page.fields == tree.fields)
        #expect(page.jobComplete == tree.jobComplete)
        #expect(page.pageToken == tree.pageToken)
        #expect(page.totalRows == "3")
        #expect(body[range].first == UInt8(ascii: "["))
        #expect(body[range].last == UInt8(ascii: "]"))
    }

    @Test("pages the direct read leaves to the tree path")
    func leftToTheTreePath() throws {
        // Two rows members, a rows member that is not valid JSON, not an object, trailing text.
        for text in [#"{"rows":[],"rows":[]}"#, #"{"rows":[{"f":[}]}"#, "[1]", #"{"rows":[]} x"#, "\u{FEFF}{}"] {
            #expect(QueryResultsPage.parseLeavingRows(Array(text.utf8)) == nil, "\(text)")
        }
        // RECORD and REPEATED fields.
        let record = ResultField(name: "r", kind: .record([ResultField(name: "a", kind: .text, repeated: false)]), repeated: false)
        #expect(FastResultRows(fields: [record]) == nil)
        #expect(FastResultRows(fields: [ResultField(name: "t", kind: .text, repeated: true)]) == nil)
        #expect(FastResultRows(fields: [ResultField(name: "a", kind: .text, repeated: false),
                                        ResultField(name: "a", kind: .integer, repeated: false)]) == nil)
        // A page without rows (a job still running) is small: the tree path reads it.
        #expect(QueryResultsPage.parseLeavingRows(Array(#"{"jobComplete":false}"#.utf8)) == nil)
    }
}
