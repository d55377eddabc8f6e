import Foundation
import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct TransformTests {
    @Test func xmlToCSVWithDatetimeConversionAndLookup() throws {
        let source = ProfileDefinition(id: "in", type: .xml, elements: [
            ProfileCodecTests.element("when", "datetime", format: "dd.MM.yyyy HH:mm"),
            ProfileCodecTests.element("line", "object", repeats: true, [
                ProfileCodecTests.element("sku"), ProfileCodecTests.element("qty", "number"),
                ProfileCodecTests.element("country"),
            ]),
        ], options: ["root": "order"], location: Profiles.here(1))
        let target = ProfileDefinition(id: "out", type: .csv, elements: [
            ProfileCodecTests.element("sku"), ProfileCodecTests.element("qty", "character"),
            ProfileCodecTests.element("country"), ProfileCodecTests.element("when", "datetime", format: "yyyy-MM-dd'T'HH:mm"),
        ], location: Profiles.here(1))
        func rule(_ from: String, _ to: String, _ functions: [MapFunctionCall] = []) -> MappingRule {
            MappingRule(from: from, to: to, functions: functions, location: Profiles.here(5))
        }
        var map = MapDefinition(id: "x2c", fromProfile: "in", toProfile: "out", mappings: [
            rule("/order/line/*/sku", "/*/sku"),
            rule("/order/line/*/qty", "/*/qty"),
            rule("/order/line/*/country", "/*/country",
                 [MapFunctionCall(name: "lookup", attributes: ["table": "c"], location: Profiles.here(6))]),
            rule("/order/when", "/0/when"),
        ], location: Profiles.here(4))
        map.lookups = [MapLookup(id: "c", entries: ["DE": "Germany, DE"], location: Profiles.here(7))]
        let compiled = try CompiledMap(map: map, profiles: ["in": source, "out": target])
        let xml = "<order><when>01.05.2024 10:30</when><line><sku>A</sku><qty>2.0</qty><country>DE</country></line>"
            + "<line><sku>B</sku><qty>1</qty><country>DE</country></line></order>"
        let (bytes, _) = try compiled.transform(Array(xml.utf8), context: MapContext(), documentIndex: 0)
        #expect(String(decoding: bytes, as: UTF8.self)
                == "sku,qty,country,when\nA,2.0,\"Germany, DE\",2024-05-01T10:30\nB,1,\"Germany, DE\",\n")
        do {
            _ = try compiled.transform(Array("<order><when>1 May</when></order>".utf8), context: MapContext(), documentIndex: 4)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "document 4: /order/when: '1 May' is not a datetime in format 'dd.MM.yyyy HH:mm'")
        }
    }

    @Test func jsonToXMLTarget() throws {
        let target = ProfileDefinition(id: "x", type: .xml, elements: [
            ProfileCodecTests.element("id", attribute: true),
            ProfileCodecTests.element("name"),
        ], options: ["root": "customer"], location: Profiles.here(1))
        let map = MapDefinition(id: "j2x", fromProfile: "order", toProfile: "x", mappings: [
            MappingRule(from: "/id", to: "/customer/@id", location: Profiles.here(2)),
            MappingRule(from: "/customer/name", to: "/customer/name", location: Profiles.here(3)),
        ], location: Profiles.here(1))
        let compiled = try CompiledMap(map: map, profiles: ["order": Profiles.order, "x": target])
        let (bytes, _) = try compiled.transform(Array(#"{"id":7,"customer":{"name":"A&B <Ltd>"}}"#.utf8),
                                                context: MapContext(), documentIndex: 0)
        #expect(String(decoding: bytes, as: UTF8.self)
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<customer id=\"7\"><name>A&amp;B &lt;Ltd&gt;</name></customer>\n")
    }
}

@Suite struct SingleRecordTargetTests {
    @Test func indexedPathsStartAnArrayOfRecords() throws {
        let target = ProfileDefinition(id: "out", type: .csv, elements: [
            ProfileCodecTests.element("id", "number"), ProfileCodecTests.element("name"),
        ], location: Profiles.here(1))
        let map = MapDefinition(id: "one", fromProfile: "order", toProfile: "out", mappings: [
            MappingRule(from: "/id", to: "/0/id", location: Profiles.here(2)),
            MappingRule(from: "/customer/name", to: "/0/name", location: Profiles.here(3)),
        ], location: Profiles.here(1))
        let compiled = try CompiledMap(map: map, profiles: ["order": Profiles.order, "out": target])
        let (bytes, _) = try compiled.transform(Array(#"{"id":7,"customer":{"name":"Ana, Inc"}}"#.utf8),
                                                context: MapContext(), documentIndex: 0)
        #expect(String(decoding: bytes, as: UTF8.self) == "id,name\n7,\"Ana, Inc\"\n")
    }
}
