import Foundation
import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct MoreFunctionTests {
    static let target = ProfileDefinition(id: "out", type: .json, elements: [], location: Profiles.here(1))
    static let countries = MapLookup(id: "countries", entries: ["DE": "Germany", "FR": "France"], location: Profiles.here(9))
    let context = MapContext(now: Date(timeIntervalSince1970: 1_714_557_600),
                             documentProperties: ["table": "orders"], processProperties: ["run": "7"])

    func call(_ name: String, _ attributes: [String: String] = [:], _ arguments: [MapFunctionArgument] = []) -> MapFunctionCall {
        MapFunctionCall(name: name, attributes: attributes, arguments: arguments, location: Profiles.here(3))
    }

    func compile(_ rules: [MappingRule]) throws -> CompiledMap {
        var definition = MapDefinition(id: "f", fromProfile: "out", toProfile: "out", mappings: rules,
                                       location: Profiles.here(1))
        definition.lookups = [Self.countries]
        return try CompiledMap(map: definition, profiles: ["out": Self.target])
    }

    func run(_ from: String?, _ functions: [MapFunctionCall], on source: JSONValue) throws -> JSONValue? {
        try compile([MappingRule(from: from, to: "/out", functions: functions, location: Profiles.here(2))])
            .apply(to: source, context: context)[key: "out"]
    }

    func functionError(_ from: String?, _ functions: [MapFunctionCall], on source: JSONValue) -> MappingError? {
        do {
            _ = try run(from, functions, on: source)
            return nil
        } catch let error as MappingError {
            return error
        } catch {
            return nil
        }
    }

    @Test func replaceUsesRegexGroups() throws {
        let replace = call("replace", ["pattern": "(\\d{3})-(\\d+)", "replacement": "$2/$1"])
        #expect(try run("/s", [replace], on: ["s": "tel 030-1234 or 040-99"]) == "tel 1234/030 or 99/040")
        #expect(try run("/s", [call("replace", ["pattern": "\\s+"])], on: ["s": "a  b \t c"]) == "abc")
        let bad = functionError("/s", [call("replace", ["pattern": "("])], on: ["s": "x"])
        #expect(bad?.kind == .definition)
        #expect(bad?.description.contains("not a valid regular expression") == true)
    }

    @Test func numberFormatPatternsAndDecimals() throws {
        let grouped = call("number-format", ["pattern": "#,##0.00"])
        #expect(try run("/n", [grouped], on: ["n": .number("1234567.891")]) == "1,234,567.89")
        #expect(try run("/n", [grouped], on: ["n": "-0.005"]) == "-0.01")
        #expect(try run("/n", [grouped], on: ["n": 0]) == "0.00")
        #expect(try run("/n", [call("number-format", ["pattern": "0.###"])], on: ["n": .number("2.50")]) == "2.5")
        #expect(try run("/n", [call("number-format", ["pattern": "€ #,##0"])], on: ["n": .number("9999.5")]) == "€ 10,000")
        #expect(try run("/n", [call("number-format", ["decimals": "3"])], on: ["n": .number("1234.5")]) == "1234.500")
        #expect(functionError("/n", [grouped], on: ["n": "abc"])?.message.contains("\"abc\" is not a number") == true)
        #expect(functionError("/n", [call("number-format", ["pattern": "abc"])], on: ["n": 1])?.kind == .definition)
    }

    @Test func lookupUsesTableThenDefaultElseFails() throws {
        #expect(try run("/c", [call("lookup", ["table": "countries"])], on: ["c": "DE"]) == "Germany")
        #expect(try run("/c", [call("lookup", ["table": "countries", "default": "?"])], on: ["c": "XX"]) == "?")
        let missing = functionError("/c", [call("lookup", ["table": "countries"])], on: ["c": "XX"])
        #expect(missing?.kind == .function)
        #expect(missing?.message.contains("key 'XX' is not in lookup table 'countries'") == true)
        #expect(functionError("/c", [call("lookup", ["table": "nope"])], on: ["c": "DE"])?.kind == .definition)
    }

    @Test func sequenceCountsAcrossDocumentsInOrder() throws {
        let map = try compile([
            MappingRule(from: nil, to: "/n", functions: [call("sequence", ["start": "100", "step": "10"])],
                        location: Profiles.here(2)),
            MappingRule(from: nil, to: "/m", functions: [call("sequence")], location: Profiles.here(4)),
        ])
        var seen: [JSONValue] = []
        for _ in 0..<3 { seen.append(try map.apply(to: [:], context: context)) }
        #expect(seen == [["n": 100, "m": 1], ["n": 110, "m": 2], ["n": 120, "m": 3]])
        map.resetSequences()
        #expect(try map.apply(to: [:], context: context) == ["n": 100, "m": 1])
    }

    @Test func countAndSumOverWildcards() throws {
        let source: JSONValue = ["items": [["qty": 2, "price": "1.10"], ["qty": 3, "price": "2.20"], ["qty": nil]]]
        #expect(try run("/items/*/qty", [call("count")], on: source) == 2)
        #expect(try run("/items/*/price", [call("sum")], on: source) == .number("3.3"))
        #expect(try run(nil, [call("sum", [:], [.path("/items/*/qty")])], on: source) == 5)
        #expect(try run("/none/*/qty", [call("count")], on: source) == 0)
        #expect(functionError("/items/*/x", [call("sum")], on: ["items": [["x": "a"]]])?.message
                .contains("\"a\" is not a number") == true)
    }

    @Test func aggregationPerGroupAndFlattening() throws {
        let source: JSONValue = ["orders": [
            ["items": [["sku": "A", "qty": 1], ["sku": "B", "qty": 2]]],
            ["items": [["sku": "C", "qty": 5]]],
        ]]
        let map = try compile([
            MappingRule(from: "/orders/*/items/*/qty", to: "/orders/*/total", functions: [call("sum")], location: Profiles.here(2)),
            MappingRule(from: "/orders/*/items/*/sku", to: "/skus/*", location: Profiles.here(3)),
            MappingRule(from: "/orders/*/items/*/sku", to: "/perOrder/*/skus", location: Profiles.here(4)),
            MappingRule(from: "/orders/*/items/*/sku", to: "/customer/address/skuCount", functions: [call("count")],
                        location: Profiles.here(5)),
        ])
        let result = try map.apply(to: source, context: context)
        #expect(result[key: "orders"] == [["total": 3], ["total": 5]])
        #expect(result[key: "skus"] == ["A", "B", "C"])
        #expect(result[key: "perOrder"] == [["skus": ["A", "B"]], ["skus": ["C"]]])
        #expect(result[key: "customer"] == ["address": ["skuCount": 3]])
    }

    @Test func setPropertiesGoToTheResult() throws {
        let map = try compile([
            MappingRule(from: "/id", to: "", functions: [call("set-document-property", ["property": "orderId"])],
                        location: Profiles.here(2)),
            MappingRule(from: "/region", to: "/region", functions: [call("uppercase"),
                        call("set-process-property", ["property": "lastRegion"])], location: Profiles.here(3)),
            MappingRule(from: nil, to: "/seen", functions: [call("get-document-property", ["property": "orderId"])],
                        location: Profiles.here(4)),
            MappingRule(from: nil, to: "/table", functions: [call("get-document-property", ["property": "table"])],
                        location: Profiles.here(5)),
        ])
        let result = try map.apply(to: ["id": 42, "region": "eu"], context: context, documentIndex: 3)
        #expect(result.value == ["region": "EU", "seen": "42", "table": "orders"])
        #expect(result.documentProperties == ["orderId": "42"])
        #expect(result.processProperties == ["lastRegion": "EU"])
    }

    @Test func mappingWithoutTargetMustSetAProperty() {
        #expect(throws: MappingError.self) {
            try compile([MappingRule(from: "/id", to: "", functions: [call("uppercase")], location: Profiles.here(2))])
        }
    }

    @Test func errorsNameTheDocumentIndex() throws {
        let map = try compile([MappingRule(from: "/n", to: "/out", functions: [call("round")], location: Profiles.here(2))])
        do {
            _ = try map.apply(to: ["n": "x"], context: context, documentIndex: 3)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("document 3: profiles/order.xml:3:3: map 'f': function 'round'"))
        }
    }
}
