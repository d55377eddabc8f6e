import Testing
import ProcessModel
@testable import DocumentMapping

@Suite struct ProfileValidatorTests {
    @Test func matchingJSONDocumentHasNoViolations() throws {
        let document = try JSONParser.parse("""
            {"id": 12, "customer": {"name": "Ada"}, "items": [{"sku": "A", "qty": 2}],
             "placedAt": "2024-05-01T10:00:00+02:00", "extra": true}
            """)
        #expect(ProfileValidator(profile: Profiles.order).validate(document).isEmpty)
    }

    @Test func jsonViolationsNameThePathAndProblem() throws {
        let document = try JSONParser.parse("""
            {"customer": {"name": 5}, "items": [{"sku": "A", "qty": "two"}, 3], "placedAt": "yesterday"}
            """)
        let violations = ProfileValidator(profile: Profiles.order).validate(document).map(\.description)
        #expect(violations == [
            "/id: required field is missing",
            "/customer/name: expected character, found 5",
            "/items/0/qty: expected number, found \"two\"",
            "/items/1: expected an object, found 3",
            "/placedAt: expected datetime in format 'yyyy-MM-dd'T'HH:mm:ssXXX', found \"yesterday\"",
        ])
    }

    @Test func nullForARequiredFieldAndNonObjectDocuments() throws {
        let validator = ProfileValidator(profile: Profiles.order)
        #expect(validator.validate(["id": nil]).map(\.description) == ["/id: required field is null"])
        #expect(validator.validate([1]).map(\.description) == ["/: expected an object, found an array"])
    }

    @Test func undeclaredFieldsCanBeRejected() {
        let validator = ProfileValidator(profile: Profiles.order, rejectsUndeclaredFields: true)
        #expect(validator.validate(["id": 1, "x": 2]).map(\.description) == ["/x: field is not declared in profile 'order'"])
    }

    static let table = ProfileDefinition(id: "events", type: .bigQueryTable, elements: [
        Profiles.field("id", "INTEGER", mode: "REQUIRED"),
        Profiles.field("name", "STRING"),
        Profiles.field("payload", "BYTES"),
        Profiles.field("score", "FLOAT64"),
        Profiles.field("amount", "NUMERIC"),
        Profiles.field("big", "BIGNUMERIC"),
        Profiles.field("ok", "BOOLEAN"),
        Profiles.field("at", "TIMESTAMP"),
        Profiles.field("day", "DATE"),
        Profiles.field("clock", "TIME"),
        Profiles.field("local", "DATETIME"),
        Profiles.field("doc", "JSON"),
        Profiles.field("place", "GEOGRAPHY"),
        Profiles.field("tags", "STRING", mode: "REPEATED"),
        Profiles.field("lines", "RECORD", mode: "REPEATED", [
            Profiles.field("sku", "STRING", mode: "REQUIRED"),
            Profiles.field("parts", "STRUCT", mode: "REPEATED", [Profiles.field("n", "INT64", mode: "REQUIRED")]),
        ]),
        Profiles.field("meta", "RECORD", [Profiles.field("source", "STRING", mode: "REQUIRED")]),
    ], location: Profiles.here(1))

    @Test func bigQueryRowWithEveryTypeIsAccepted() throws {
        let row = try JSONParser.parse("""
            {"id": "42", "name": "n", "payload": "aGVsbG8=", "score": "NaN", "amount": "12.50", "big": 1e40,
             "ok": "true", "at": "2024-05-01 10:00:00.123456 UTC", "day": "2024-5-1", "clock": "23:59:59.999999",
             "local": "2024-05-01T10:00:00", "doc": {"any": [1]}, "place": "POINT(1 2)", "tags": ["a", "b"],
             "lines": [{"sku": "A", "parts": [{"n": 1}]}], "meta": {"source": "web"}}
            """)
        #expect(ProfileValidator(profile: Self.table).validate(row).isEmpty)
        let other = try JSONParser.parse(#"{"id": 1, "at": 1714557600, "ok": false, "at2": 1, "day": null}"#)
        #expect(ProfileValidator(profile: Self.table).validate(other).isEmpty)
    }

    @Test func bigQueryTypeMismatches() throws {
        let row = try JSONParser.parse("""
            {"id": "abc", "name": 3, "payload": "not base64!", "score": "x", "amount": true, "ok": "maybe",
             "at": "2024-05-01Q", "day": "01/05/2024", "clock": "25", "local": "2024-05-01X10", "tags": "a",
             "meta": {}}
            """)
        let violations = ProfileValidator(profile: Self.table).validate(row).map(\.description)
        #expect(violations == [
            "/id: expected INTEGER, found \"abc\"",
            "/name: expected STRING, found 3",
            "/payload: expected BYTES, found \"not base64!\"",
            "/score: expected FLOAT64, found \"x\"",
            "/amount: expected NUMERIC, found true",
            "/ok: expected BOOLEAN, found \"maybe\"",
            "/at: expected TIMESTAMP, found \"2024-05-01Q\"",
            "/day: expected DATE, found \"01/05/2024\"",
            "/clock: expected TIME, found \"25\"",
            "/local: expected DATETIME, found \"2024-05-01X10\"",
            "/tags: expected an array of STRING (REPEATED), found \"a\"",
            "/meta/source: required field is missing",
        ])
    }

    @Test func int64OutOfRangeIsAViolation() {
        let violations = ProfileValidator(profile: Self.table).validate(["id": .number("9223372036854775808")])
        #expect(violations.map(\.description) == ["/id: expected INTEGER, found 9223372036854775808"])
    }

    @Test func nestedRepeatedRecordsAreCheckedRecursively() throws {
        let row = try JSONParser.parse("""
            {"id": 1, "lines": [{"sku": "A"}, {"parts": [{"n": 2}, {}, null]}, null, 5]}
            """)
        let violations = ProfileValidator(profile: Self.table).validate(row).map(\.description)
        #expect(violations == [
            "/lines/1/sku: required field is missing",
            "/lines/1/parts/1/n: required field is missing",
            "/lines/1/parts/2: REPEATED field cannot hold null",
            "/lines/2: REPEATED field cannot hold null",
            "/lines/3: expected a RECORD (object), found 5",
        ])
    }

    @Test func unknownTypesAndModesAreReportedWithTheirLocation() {
        let profile = ProfileDefinition(id: "bad", type: .bigQueryTable, elements: [
            ProfileElement(name: "x", type: "INT", mode: "OPTIONAL", location: SourceLocation(file: "p.xml", line: 4, column: 5)),
        ], location: Profiles.here(1))
        let diagnostics = ProfileValidator(profile: profile).profileDiagnostics.map(\.description)
        #expect(diagnostics.count == 2)
        #expect(diagnostics.first?.hasPrefix("p.xml:4:5: error: unknown type 'INT' for 'x'") == true)
        #expect(diagnostics.last == "p.xml:4:5: error: unknown mode 'OPTIONAL' for 'x'; expected NULLABLE, REQUIRED or REPEATED")
    }
}
