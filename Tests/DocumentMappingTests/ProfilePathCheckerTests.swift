import DocumentMapping
import ProcessModel
import Testing

/// Map and process paths are checked against the profiles they address.
@Suite struct ProfilePathCheckerTests {
    static let here = SourceLocation(file: "profiles/m.xml", line: 2, column: 3)

    static let xml = ProfileDefinition(id: "xml-order", type: .xml, elements: [
        ProfileElement(name: "id", type: "number", location: here),
        { var currency = ProfileElement(name: "currency", type: "character", location: here)
          currency.isAttribute = true
          return currency }(),
        { var line = ProfileElement(name: "line", type: "object", children: [
            ProfileElement(name: "sku", type: "character", location: here)], location: here)
          line.repeats = true
          return line }(),
    ], options: ["root": "order"], location: here)

    static let csv = ProfileDefinition(id: "csv-rows", type: .csv, elements: [
        ProfileElement(name: "sku", type: "character", location: here),
        ProfileElement(name: "qty", type: "number", location: here),
    ], location: here)

    static let payload = ProfileDefinition(id: "payload", type: .bigQueryTable, elements: [
        ProfileElement(name: "id", type: "INT64", location: here),
        ProfileElement(name: "data", type: "JSON", location: here),
        ProfileElement(name: "tags", type: "RECORD", mode: "REPEATED", children: [
            ProfileElement(name: "name", type: "STRING", location: here)], location: here),
    ], location: here)

    static func check(_ from: String, _ to: String, source: ProfileDefinition, target: ProfileDefinition) -> [String] {
        let map = MapDefinition(id: "m", fromProfile: source.id, toProfile: target.id,
                                mappings: [MappingRule(from: from, to: to, location: here)], location: here)
        let workspace = Workspace(root: "/w", profiles: [source.id: source, target.id: target], maps: ["m": map])
        return ProfilePathChecker.diagnostics(for: workspace).map(\.message)
    }

    @Test("declared paths pass: xml root, attributes, repeated elements, csv records, BigQuery records and JSON columns",
          arguments: [("/order/id", "/id"), ("/order/@currency", "/data/any/thing"), ("/order/line/*/sku", "/tags/*/name"),
                      ("/order/line/0/sku", "/tags/0/name"), ("/", "/data")])
    func declaredPathsPass(_ paths: (String, String)) {
        #expect(Self.check(paths.0, paths.1, source: Self.xml, target: Self.payload).isEmpty)
    }

    @Test func csvRecordsPass() {
        #expect(Self.check("/*/qty", "/id", source: Self.csv, target: Self.payload).isEmpty)
        #expect(Self.check("/sku", "/tags/*/name", source: Self.csv, target: Self.payload).isEmpty)
    }

    @Test func undeclaredPathsAreReportedWithASuggestion() {
        #expect(Self.check("/order/lien/*/sku", "/tags/*/nmae", source: Self.xml, target: Self.payload) == [
            "map 'm': 'from' path '/order/lien/*/sku' is not in profile 'xml-order'; did you mean '/order/line/*/sku'?",
            "map 'm': 'to' path '/tags/*/nmae' is not in profile 'payload'; did you mean '/tags/*/name'?",
        ])
        #expect(Self.check("/qtty", "/nothing", source: Self.csv, target: Self.payload) == [
            "map 'm': 'from' path '/qtty' is not in profile 'csv-rows'; did you mean '/qty'?",
            "map 'm': 'to' path '/nothing' is not in profile 'payload'",
        ])
    }

    @Test func suggestionsNeedACloseName() {
        #expect(Suggestion.closest(to: "to-rwo", in: ["to-row", "other"]) == "to-row")
        #expect(Suggestion.closest(to: "nowhere", in: ["where"]) == nil)
        #expect(Suggestion.closest(to: "x", in: ["y"]) == "y")
        #expect(Suggestion.closest(to: "bigquery-lcoal", in: ["bigquery-local", "order-inbox"]) == "bigquery-local")
    }
}
