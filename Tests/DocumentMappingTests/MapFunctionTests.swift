import Foundation
import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct MapFunctionTests {
    static let target = ProfileDefinition(id: "out", type: .json, elements: [], location: Profiles.here(1))
    let context = MapContext(now: Date(timeIntervalSince1970: 1_714_557_600),
                             documentProperties: ["table": "orders"], processProperties: ["run": "7"])

    /// Maps `source` with one rule carrying `functions` and returns the value written at `/out`.
    func run(_ from: String?, _ functions: [MapFunctionCall], on source: JSONValue) throws -> JSONValue? {
        let definition = MapDefinition(id: "f", fromProfile: "out", toProfile: "out", mappings: [
            MappingRule(from: from, to: "/out", functions: functions, location: Profiles.here(2)),
        ], location: Profiles.here(1))
        let map = try CompiledMap(map: definition, profiles: ["out": Self.target])
        return try map.apply(to: source, context: context)[key: "out"]
    }

    func call(_ name: String, _ attributes: [String: String] = [:], _ arguments: [MapFunctionArgument] = []) -> MapFunctionCall {
        MapFunctionCall(name: name, attributes: attributes, arguments: arguments, location: Profiles.here(3))
    }

    @Test func textFunctionsApplyInOrder() throws {
        #expect(try run("/s", [call("trim"), call("uppercase")], on: ["s": "  Mixed Case "]) == "MIXED CASE")
        #expect(try run("/s", [call("lowercase")], on: ["s": "ÀBC"]) == "àbc")
        #expect(try run("/s", [call("substring", ["start": "1", "length": "3"])], on: ["s": "abcdef"]) == "bcd")
        #expect(try run("/s", [call("uppercase")], on: [:]) == nil)
    }

    @Test func concatJoinsCurrentValueAndArguments() throws {
        let source: JSONValue = ["first": "Ada", "last": "Lovelace", "n": 3]
        #expect(try run("/first", [call("concat", ["separator": " "], [.path("/last"), .literal("#"), .path("/n")])],
                        on: source) == "Ada Lovelace # 3")
        #expect(try run(nil, [call("concat", [:], [.path("/last"), .path("/missing"), .literal("!")])], on: source)
                == "Lovelace!")
    }

    @Test func arithmeticIsExactDecimal() throws {
        let source: JSONValue = ["price": "19.99", "qty": 3, "a": .number("0.1"), "b": .number("0.2")]
        #expect(try run("/price", [call("multiply", [:], [.path("/qty")])], on: source) == .number("59.97"))
        #expect(try run(nil, [call("add", [:], [.path("/a"), .path("/b")])], on: source) == .number("0.3"))
        #expect(try run("/qty", [call("subtract", [:], [.literal("5")])], on: source) == .number("-2"))
        #expect(try run("/qty", [call("divide", [:], [.literal("4")])], on: source) == .number("0.75"))
        #expect(try run("/price", [call("multiply", [:], [.literal("3")]), call("round", ["scale": "1"])], on: source)
                == .number("60"))
        #expect(try run(nil, [call("add", [:], [.path("/a"), .path("/missing")])], on: source) == nil)
    }

    @Test func arithmeticFailuresNameTheFunction() {
        #expect {
            _ = try run("/qty", [call("divide", [:], [.literal("0")])], on: ["qty": 3])
        } throws: { error in
            (error as? MappingError)?.description == "profiles/order.xml:3:3: map 'f': function 'divide': division by zero"
        }
        #expect {
            _ = try run("/qty", [call("add", [:], [.literal("x")])], on: ["qty": 3])
        } throws: { error in
            (error as? MappingError)?.description == "profiles/order.xml:3:3: map 'f': function 'add': \"x\" is not a number"
        }
        #expect(throws: MappingError.self) { _ = try run(nil, [call("add", [:], [.literal("1")])], on: [:]) }
    }

    @Test func dateFormatConvertsBetweenPatterns() throws {
        let format = call("date-format", ["inputFormat": "yyyy-MM-dd'T'HH:mm:ssXXX", "outputFormat": "yyyy-MM-dd HH:mm"])
        #expect(try run("/t", [format], on: ["t": "2024-05-01T10:30:00+02:00"]) == "2024-05-01 08:30")
        let dayFirst = call("date-format", ["inputFormat": "dd/MM/yyyy", "outputFormat": "yyyy-MM-dd"])
        #expect(try run("/t", [dayFirst], on: ["t": "31/12/2023"]) == "2023-12-31")
        let zoned = call("date-format", ["inputFormat": "yyyy-MM-dd HH:mm", "outputFormat": "yyyy-MM-dd'T'HH:mm:ssXXX"])
        #expect(try run("/t", [zoned], on: ["t": "2024-01-02 03:04"]) == "2024-01-02T03:04:00Z")
        #expect {
            _ = try run("/t", [dayFirst], on: ["t": "2024-05-01"])
        } throws: { error in
            (error as? MappingError)?.description
                == "profiles/order.xml:3:3: map 'f': function 'date-format': \"2024-05-01\" does not match inputFormat 'dd/MM/yyyy'"
        }
        #expect(throws: MappingError.self) { _ = try run("/t", [call("date-format")], on: [:]) }
    }

    @Test func contextFunctions() throws {
        #expect(try run(nil, [call("current-date", ["format": "yyyy-MM-dd HH:mm"])], on: [:]) == "2024-05-01 10:00")
        #expect(try run(nil, [call("get-document-property", ["property": "table"])], on: [:]) == "orders")
        #expect(try run(nil, [call("get-process-property", ["property": "run"])], on: [:]) == "7")
        #expect(try run(nil, [call("get-process-property", ["property": "nope"])], on: [:]) == nil)
    }

    @Test func defaultAndCoalescePickTheFirstPresentValue() throws {
        let source: JSONValue = ["empty": "", "b": "B"]
        #expect(try run("/empty", [call("coalesce", [:], [.path("/missing"), .path("/b")])], on: source) == "B")
        #expect(try run("/missing", [call("default", ["value": "none"])], on: source) == "none")
    }
}
