@testable import BigQuery
import DocumentMapping
import Foundation
import ProcessEngine
import ProcessModel
import Testing

/// The storage-write encoder reading a renaming map's source (``StorageFastRowEncoder/reading(_:)``)
/// must write, for every row it accepts, exactly what the map followed by the encoder writes, and
/// accept no row the map fails.
@Suite struct StorageFusedMapTests {
    static let here = SourceLocation(file: "profiles/fused.xml", line: 1, column: 1)

    static func element(_ name: String, _ type: String, required: Bool = false, _ children: [ProfileElement] = []) -> ProfileElement {
        ProfileElement(name: name, type: type, required: required, children: children, location: here)
    }

    /// `note` is in neither profile: read unchecked, written as it is; `active` only in the source
    /// (a boolean member of the target goes through a conversion the byte path does not copy).
    static let profiles: [String: ProfileDefinition] = [
        "src": ProfileDefinition(id: "src", type: .json, elements: [
            element("id", "number", required: true), element("name", "character"), element("amount", "character"),
            element("ts", "character"), element("flag", "boolean"), element("score", "number"),
            element("meta", "object", [element("a", "number")]),
        ], location: here),
        "dst": ProfileDefinition(id: "dst", type: .json, elements: [
            element("row_id", "number"), element("customer", "character", required: true), element("amount", "character"),
            element("ts", "character"), element("score", "number"),
        ], location: here),
        "dst-typed": ProfileDefinition(id: "dst-typed", type: .json, elements: [
            element("row_id", "number"), element("customer", "character", required: true), element("active", "boolean"),
        ], location: here),
    ]

    static func map(_ pairs: [(String, String)]) throws -> CompiledMap {
        try CompiledMap(map: MapDefinition(id: "m", fromProfile: "src", toProfile: "dst",
                                           mappings: pairs.map { MappingRule(from: "/\($0.0)", to: "/\($0.1)", location: here) },
                                           defaults: [], location: here),
                        profiles: profiles)
    }

    static let renaming = [("id", "row_id"), ("name", "customer"), ("amount", "amount"), ("ts", "ts"), ("flag", "active"),
                           ("score", "score"), ("note", "note")]

    static let schema: StorageSchema = {
        let json = """
        {"schema": {"fields": [
          {"name": "extra", "type": "STRING"},
          {"name": "row_id", "type": "INTEGER", "mode": "REQUIRED"},
          {"name": "customer", "type": "STRING"},
          {"name": "amount", "type": "NUMERIC"},
          {"name": "ts", "type": "TIMESTAMP"},
          {"name": "active", "type": "BOOLEAN"},
          {"name": "score", "type": "FLOAT"},
          {"name": "note", "type": "STRING"}
        ]}}
        """
        return (try? StorageSchema.parse(table: JSONParser.parse(json), name: "p.d.t")) ?? StorageSchema(fields: [])
    }()

    /// What the map then the encoder write for `text`: nil when the map fails it; `.some(nil)`
    /// when the map's output fails to encode.
    static func mapThenEncode(_ text: [UInt8], map: CompiledMap, regular: StorageFastRowEncoder) -> [UInt8]?? {
        var output: [UInt8]
        var scratch = FastJSONMap.Scratch()
        if let fastPath = map.fastPath, let mapped = fastPath.transform(text, scratch: &scratch) {
            output = mapped
        } else {
            guard let value = try? JSONParser.parse(text), (try? map.sourceCodec.check(value)) != nil,
                  let result = try? map.apply(to: value, context: MapContext()) else { return nil }
            output = result.serialized()
        }
        var writer = ProtoWriter()
        var encoderScratch = regular.makeScratch()
        if regular.encode(output, into: &writer, scratch: &encoderScratch) { return .some(writer.bytes) }
        guard let value = try? JSONParser.parse(output),
              let prepared = try? StorageRowPreparer(schema: schema, table: "p.d.t", sink: StorageSinkSettings()).prepare(value),
              let bytes = try? ProtoRowEncoder(schema: schema).encode(prepared) else { return .some(nil) }
        return .some(bytes)
    }

    /// Rows of every kind the encoder or the map might treat differently: members in any order,
    /// spaced or not, unknown, repeated, case variants, escaped keys; values of every JSON kind,
    /// escapes, non-ASCII text, control bytes, odd numbers, `null`, nested values; a byte order
    /// mark, trailing bytes.
    static func rows(count: Int) -> [[UInt8]] {
        var random = SplitMix(seed: 0x5EED_F05E)
        let keys = ["id", "id", "name", "name", "amount", "ts", "flag", "score", "note", "meta", "zzz", "ID", "Name", "row_id",
                    #"i\u0064"#]
        let values = [
            #"1"#, #"42"#, #"-7"#, #"0"#, #"1.5"#, #"1e3"#, #"123456789012345678901"#, #"-0"#, #"01"#, #"1."#,
            #""customer-17""#, #""""#, #""12.50""#, #""2026-11-01T10:11:12.123456Z""#, #""2026-11-01 10:11:12""#,
            #""not a time""#, #""a\"b""#, #""caf\u00e9""#, "\"café\"", "\"tab\there\"", #""x\ny""#,
            "true", "false", "null", #"{"a": 1}"#, #"[1, 2]"#, #""99""#, "tru",
        ]
        let spaces = ["", "", " ", "  ", "\t", "\n", "\r\n"]
        func space() -> String { spaces[random.next(spaces.count)] }
        var rows: [[UInt8]] = []
        for _ in 0..<count {
            var members: [String] = []
            // Mostly rows the renaming covers, so that both outcomes are common.
            let plain = random.next(3) > 0
            var used = Set<String>()
            // Plain rows usually carry both required members, and some of the others.
            var plainKeys = random.next(8) > 0 ? ["id", "name"] : []
            plainKeys += (0..<random.next(8)).map { _ in ["id", "name", "amount", "ts", "flag", "score", "note"][random.next(7)] }
            for round in 0..<(plain ? plainKeys.count : random.next(8)) {
                var key = keys[random.next(keys.count)]
                var value = values[random.next(values.count)]
                if plain {
                    key = plainKeys[round]
                    guard used.insert(key).inserted else { continue }
                    switch key {
                    case "id": value = ["1", "42", "-7", "0", "123456789"][random.next(5)]
                    case "flag": value = ["true", "false"][random.next(2)]
                    case "score": value = ["1.5", "2", "-0.25", "1e3"][random.next(4)]
                    case "ts": value = [#""2026-11-01T10:11:12.123456Z""#, #""2026-02-28 01:02:03+02:00""#][random.next(2)]
                    case "amount": value = [#""12.50""#, #""0""#, #""-3.1""#][random.next(3)]
                    default: value = [#""customer-17""#, #""""#, #""x y""#][random.next(3)]
                    }
                    // Now and then any value at all under a known key: null, escapes, the wrong kind.
                    if random.next(10) == 0 { value = values[random.next(values.count)] }
                }
                members.append("\(space())\"\(key)\"\(space()):\(space())\(value)\(space())")
            }
            var text = "\(space()){\(members.joined(separator: ","))}\(space())"
            switch random.next(40) {
            case 0: text = "\u{FEFF}" + text
            case 1: text += " x"
            case 2: text = String(text.dropLast())
            default: break
            }
            rows.append(Array(text.utf8))
        }
        return rows
    }

    @Test("every row the encoder takes from the map's source comes out as the map then the encoder write it")
    func acceptedRowsMatchTheMapThenTheEncoder() throws {
        let map = try Self.map(Self.renaming)
        let renames = try #require(map.fastPath?.flatRenames)
        let regular = try #require(StorageFastRowEncoder(schema: Self.schema, sink: StorageSinkSettings()))
        let fused = try #require(regular.reading(renames))
        var scratch = fused.makeScratch()
        var accepted = 0
        var declined = 0
        for text in Self.rows(count: 20_000) {
            var writer = ProtoWriter()
            guard fused.encode(text, into: &writer, scratch: &scratch) else {
                declined += 1
                continue
            }
            accepted += 1
            let row = String(decoding: text, as: UTF8.self)
            let expected = Self.mapThenEncode(text, map: map, regular: regular)
            #expect(expected != nil, "the map fails a row the encoder took: \(row)")
            #expect(expected ?? nil == writer.bytes, "different bytes: \(row)")
        }
        // Both outcomes are exercised.
        #expect(accepted > 5_000 && declined > 5_000, "accepted \(accepted), declined \(declined)")
    }

    @Test("the renaming is only offered for maps that do nothing else")
    func renamesOnlyForPlainRenames() throws {
        let renames = try #require(try Self.map(Self.renaming).fastPath?.flatRenames)
        #expect(renames.members.map { String(decoding: $0.source, as: UTF8.self) } == Self.renaming.map(\.0))
        #expect(renames.members.map(\.required) == [true, true, false, false, false, false, false])
        #expect(renames.members[1].values == .string && renames.members[4].values == .boolean
            && renames.members[6].values == [.string, .number, .boolean])
        // A required source member no rule reads: the map fails without it, whatever the row is.
        #expect(try Self.map([("name", "customer")]).fastPath?.flatRenames == nil)
        // A nested source path, a function, a number written to a text member.
        #expect(try Self.map(Self.renaming + [("meta/a", "score")]).fastPath?.flatRenames == nil)
        let function = try CompiledMap(map: MapDefinition(id: "m", fromProfile: "src", toProfile: "dst", mappings: [
            MappingRule(from: "/id", to: "/row_id", location: Self.here),
            MappingRule(from: "/name", to: "/customer", functions: [MapFunctionCall(name: "uppercase", location: Self.here)],
                        location: Self.here),
        ], defaults: [], location: Self.here), profiles: Self.profiles)
        #expect(function.fastPath != nil && function.fastPath?.flatRenames == nil)
        #expect(try Self.map([("id", "row_id"), ("score", "customer")]).fastPath?.flatRenames == nil)
        let typed = try CompiledMap(map: MapDefinition(id: "m", fromProfile: "src", toProfile: "dst-typed", mappings: [
            MappingRule(from: "/id", to: "/row_id", location: Self.here), MappingRule(from: "/name", to: "/customer", location: Self.here),
            MappingRule(from: "/flag", to: "/active", location: Self.here),
        ], defaults: [], location: Self.here), profiles: Self.profiles)
        #expect(typed.fastPath != nil && typed.fastPath?.flatRenames == nil)
        // A target member that is no column: the encoder is not offered the renaming.
        let regular = try #require(StorageFastRowEncoder(schema: Self.schema, sink: StorageSinkSettings()))
        let unknown = FlatRenames(members: [FlatRenames.Member(source: Array("id".utf8), target: Array("ROW_ID".utf8),
                                                                 values: .number, required: true)])
        #expect(regular.reading(unknown) == nil)
    }
}

/// A small seeded generator, so a failing row can be found again.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
