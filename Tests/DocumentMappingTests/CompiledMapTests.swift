import Foundation
import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct CompiledMapTests {
    let context = MapContext(now: Date(timeIntervalSince1970: 1_714_557_600))

    @Test func formatExampleMapsOrderToRow() throws {
        let map = try CompiledMap(map: Profiles.orderToRow, profiles: Profiles.all)
        let order = try JSONParser.parse("""
            {"id": 1001, "customer": {"name": "Ada Lovelace"}, "price": "19.99", "qty": 3,
             "items": [{"sku": "A-1", "qty": 2}, {"sku": 77, "qty": 1}]}
            """)
        let row = try map.apply(to: order, context: context)
        #expect(row.jsonString
            == #"{"order_id":1001,"customer":"ADA LOVELACE","items":[{"sku":"A-1"},{"sku":"77"}],"total":59.97,"source":"web"}"#)
    }

    @Test func missingSourcesWriteNothingButRequiredTargetsFail() throws {
        let map = try CompiledMap(map: Profiles.orderToRow, profiles: Profiles.all)
        #expect {
            _ = try map.apply(to: ["customer": ["name": "x"]], context: context)
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.kind == .validation
                && error.description == "map 'order-to-row': /order_id: required field is missing"
                && error.violations == [ProfileViolation(path: "/order_id", message: "required field is missing")]
        }
        let row = try map.apply(to: ["id": 5], context: context)
        #expect(row.jsonString == #"{"order_id":5,"source":"web"}"#)
    }

    @Test func textIsConvertedToTheTargetTypeAndFailuresNameTheRule() throws {
        let map = try CompiledMap(map: Profiles.orderToRow, profiles: Profiles.all)
        #expect(try map.apply(to: ["id": " 42 "], context: context)[key: "order_id"] == .number("42"))
        #expect(try map.apply(to: ["id": .number("42.000")], context: context)[key: "order_id"] == .number("42"))
        do {
            _ = try map.apply(to: ["id": "abc"], context: context)
            Issue.record("expected a conversion error")
        } catch {
            #expect(error.kind == .conversion)
            #expect(error.description == "profiles/order.xml:30:3: map 'order-to-row': /order_id: cannot convert \"abc\" to INT64")
        }
    }

    static let lines = ProfileDefinition(id: "lines", type: .bigQueryTable, elements: [
        Profiles.field("lines", "RECORD", mode: "REPEATED", [
            Profiles.field("code", "STRING"), Profiles.field("count", "INT64"), Profiles.field("price", "NUMERIC"),
            Profiles.field("tags", "STRING", mode: "REPEATED"),
        ]),
        Profiles.field("codes", "STRING", mode: "REPEATED"),
        Profiles.field("flag", "BOOL"),
    ], location: Profiles.here(1))

    static func map(_ rules: [MappingRule], defaults: [MapDefault] = []) -> MapDefinition {
        MapDefinition(id: "m", fromProfile: "order", toProfile: "lines", mappings: rules, defaults: defaults,
                      location: Profiles.here(50))
    }

    static func rule(_ from: String?, _ to: String, _ functions: [MapFunctionCall] = []) -> MappingRule {
        MappingRule(from: from, to: to, functions: functions, location: Profiles.here(51))
    }

    @Test func arraysMapElementWiseKeepingOrder() throws {
        let map = try CompiledMap(map: Self.map([
            Self.rule("/items/*/sku", "/lines/*/code"),
            Self.rule("/items/*/qty", "/lines/*/count"),
            Self.rule("/items/*/labels/*", "/lines/*/tags/*"),
            Self.rule("/items/*/sku", "/codes"),
        ], defaults: [MapDefault(to: "/lines/*/price", value: "0", location: Profiles.here(60))]),
            profiles: Profiles.all.merging([Self.lines.id: Self.lines]) { $1 })
        let source = try JSONParser.parse("""
            {"items": [{"sku": "a", "qty": "1", "labels": ["x", "y"]}, {"qty": 2}, {"sku": "c", "qty": 3}]}
            """)
        let output = try map.apply(to: source, context: context)
        #expect(output.jsonString == #"{"lines":[{"code":"a","count":1,"tags":["x","y"],"price":0},{"count":2,"price":0},"#
            + #"{"code":"c","count":3,"price":0}],"codes":["a","c"]}"#)
    }

    @Test func defaultsFillOnlyMissingOrNullTargetsAndAreConverted() throws {
        let map = try CompiledMap(map: Self.map([Self.rule("/flag", "/flag")],
            defaults: [MapDefault(to: "/flag", value: "true", location: Profiles.here(60))]),
            profiles: Profiles.all.merging([Self.lines.id: Self.lines]) { $1 })
        #expect(try map.apply(to: [:], context: context).jsonString == #"{"flag":true}"#)
        #expect(try map.apply(to: ["flag": nil], context: context).jsonString == #"{"flag":true}"#)
        #expect(try map.apply(to: ["flag": "0"], context: context).jsonString == #"{"flag":false}"#)
    }

    @Test func defaultThatCannotBeConvertedFailsAtCompileTime() {
        #expect {
            _ = try CompiledMap(map: Self.map([], defaults: [MapDefault(to: "/flag", value: "perhaps", location: Profiles.here(61))]),
                                profiles: Profiles.all.merging([Self.lines.id: Self.lines]) { $1 })
        } throws: { error in
            (error as? MappingError)?.description
                == "profiles/order.xml:61:3: map 'm': default for /flag: cannot convert \"perhaps\" to BOOL"
        }
    }

    @Test func numbersBecomeTextForTextTargets() throws {
        let map = try CompiledMap(map: Self.map([Self.rule("/n", "/lines/0/code"), Self.rule("/b", "/codes")]),
                                  profiles: Profiles.all.merging([Self.lines.id: Self.lines]) { $1 })
        let output = try map.apply(to: ["n": .number("1.50"), "b": [true, 2]], context: context)
        #expect(output.jsonString == #"{"lines":[{"code":"1.50"}],"codes":["true","2"]}"#)
    }

    @Test func definitionErrorsNameTheMapAndLocation() {
        func compileError(_ definition: MapDefinition) -> String? {
            do {
                _ = try CompiledMap(map: definition, profiles: Profiles.all)
                return nil
            } catch {
                #expect(error.kind == .definition)
                return error.description
            }
        }
        let unknownFunction = MapDefinition(id: "m", fromProfile: "order", toProfile: "order-row", mappings: [
            MappingRule(from: "/id", to: "/order_id", functions: [
                MapFunctionCall(name: "upper", location: SourceLocation(file: "maps.xml", line: 9, column: 7)),
            ], location: Profiles.here(8)),
        ], location: Profiles.here(1))
        #expect(compileError(unknownFunction)?.hasPrefix("maps.xml:9:7: map 'm': unknown function 'upper'; known functions: concat, substring, uppercase") == true)
        let badPath = MapDefinition(id: "m", fromProfile: "order", toProfile: "order-row", mappings: [
            MappingRule(from: "id", to: "/order_id", location: SourceLocation(file: "maps.xml", line: 4, column: 5)),
        ], location: Profiles.here(1))
        #expect(compileError(badPath) == "maps.xml:4:5: map 'm': mapping: invalid path 'id': a path starts with '/'")
        let tooManyStars = MapDefinition(id: "m", fromProfile: "order", toProfile: "order-row", mappings: [
            MappingRule(from: "/id", to: "/items/*/sku", location: Profiles.here(4)),
        ], location: Profiles.here(1))
        #expect(compileError(tooManyStars)?.contains("target path '/items/*/sku' has 1 '*' but the source has 0") == true)
        let unknownProfile = MapDefinition(id: "m", fromProfile: "order", toProfile: "nope", mappings: [],
                                           location: Profiles.here(2))
        #expect(compileError(unknownProfile) == "profiles/order.xml:2:3: map 'm': unknown profile 'nope' in 'to'")
    }
}

@Suite struct CompiledMapConcurrencyTests {
    @Test func oneCompiledMapServesConcurrentDocuments() async throws {
        let definition = MapDefinition(id: "dates", fromProfile: "order", toProfile: "order", mappings: [
            MappingRule(from: "/day", to: "/placedAt", functions: [
                MapFunctionCall(name: "date-format", attributes: ["inputFormat": "dd.MM.yyyy", "outputFormat": "yyyy-MM-dd'T'HH:mm:ssXXX"],
                                location: Profiles.here(2)),
            ], location: Profiles.here(1)),
            MappingRule(from: "/n", to: "/id", location: Profiles.here(3)),
        ], location: Profiles.here(1))
        let map = try CompiledMap(map: definition, profiles: Profiles.all)
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for day in 1...28 {
                group.addTask {
                    let source: JSONValue = ["day": .string(String(format: "%02d.02.2024", day)), "n": .number(String(day))]
                    let output = try map.apply(to: source, context: MapContext())
                    return (day, output[key: "placedAt"]?.stringValue ?? "")
                }
            }
            var collected: [Int: String] = [:]
            for try await (day, text) in group { collected[day] = text }
            return collected
        }
        #expect(results.count == 28)
        #expect(results[7] == "2024-02-07T00:00:00Z")
        #expect(results[28] == "2024-02-28T00:00:00Z")
    }
}
