import Foundation
import ProcessEngine
import ProcessModel
import Testing

@Suite("decision, route and branch shapes")
struct FlowShapeTests {
    func decision(_ op: DecisionDefinition.Operator, _ type: DecisionDefinition.ValueType, right: String,
                  format: String? = nil) -> Workspace {
        let definition = DecisionDefinition(left: value(.profile(path: "/v")), op: op, type: type, format: format,
                                            right: literal(right))
        return workspace(shapes: [
            shape("check", .decision(definition, onTrue: "yes", onFalse: "no")),
            probe("yes"), probe("no"),
        ])
    }

    @Test("number decisions compare as decimals and send documents to onTrue or onFalse")
    func numberDecision() async {
        let probe = Probe()
        let execution = await probe.run(decision(.gt, .number, right: "10"),
                                        [#"{"v": 9.5}"#, #"{"v": "10.0"}"#, #"{"v": 100}"#, #"{"v": "1e2"}"#])
        #expect(probe.at("yes") == [#"{"v": 100}"#, #"{"v": "1e2"}"#])
        #expect(probe.at("no") == [#"{"v": 9.5}"#, #"{"v": "10.0"}"#])
        #expect(execution.status == .complete)
        #expect(counts(execution, "check") == ShapeCount(shapeID: "check", documentsIn: 4, documentsOut: 4))
    }

    @Test("a value that is not a number is an error for that document, never false")
    func notANumber() async {
        let probe = Probe()
        let recorder = MemoryRecorder()
        let execution = await probe.run(decision(.eq, .number, right: "3"), [#"{"v": "3.0"}"#, #"{"v": "3 apples"}"#],
                                        recorder: recorder)
        #expect(probe.at("yes") == [#"{"v": "3.0"}"#])
        #expect(probe.at("no").isEmpty)
        #expect(execution.status == .error)
        #expect(execution.documentsError == 1)
        #expect(recorder.traces.first { $0.status == .error }?.error == "left value '3 apples' is not a number")
    }

    @Test("datetime decisions read ISO 8601 with offsets, fractions and plain dates")
    func datetimeDecision() async {
        let probe = Probe()
        let execution = await probe.run(decision(.lt, .datetime, right: "2026-01-01T00:00:00Z"), [
            #"{"v": "2025-12-31T23:59:59.5Z"}"#, #"{"v": "2026-01-01T00:30:00+01:00"}"#,
            #"{"v": "2026-01-01"}"#, #"{"v": "2026-01-01T00:00:01"}"#, #"{"v": "yesterday"}"#,
        ])
        #expect(probe.at("yes") == [#"{"v": "2025-12-31T23:59:59.5Z"}"#, #"{"v": "2026-01-01T00:30:00+01:00"}"#])
        #expect(probe.at("no") == [#"{"v": "2026-01-01"}"#, #"{"v": "2026-01-01T00:00:01"}"#])
        #expect(execution.documentsError == 1)
        #expect(execution.error?.contains("'yesterday' is not an ISO 8601 date") == true)
    }

    @Test("datetime decisions with a format read that pattern")
    func datetimeFormat() async {
        let probe = Probe()
        let execution = await probe.run(decision(.ge, .datetime, right: "01/02/2026", format: "dd/MM/yyyy"),
                                        [#"{"v": "01/02/2026"}"#, #"{"v": "31/01/2026"}"#, #"{"v": "2026-02-01"}"#])
        #expect(probe.at("yes") == [#"{"v": "01/02/2026"}"#])
        #expect(probe.at("no") == [#"{"v": "31/01/2026"}"#])
        #expect(execution.documentsError == 1)
    }

    @Test("regex and wildcard match the whole value")
    func patterns() async {
        let regex = Probe()
        _ = await regex.run(decision(.regex, .character, right: "[A-Z]{2}-\\d+"),
                            [#"{"v": "AB-12"}"#, #"{"v": "xAB-12"}"#, #"{"v": "AB-12x"}"#])
        #expect(regex.at("yes") == [#"{"v": "AB-12"}"#])
        let wildcard = Probe()
        _ = await wildcard.run(decision(.wildcard, .character, right: "ord?r-*.json"),
                               [#"{"v": "order-1.json"}"#, #"{"v": "order-1.jsonl"}"#, #"{"v": "ordr-x.json"}"#, #"{"v": "ord.r-x.json"}"#])
        #expect(wildcard.at("yes") == [#"{"v": "order-1.json"}"#, #"{"v": "ord.r-x.json"}"#], "? matches any one character, even a dot")
        #expect(wildcard.at("no").count == 2)
    }

    @Test("character comparisons and every operator")
    func operators() throws {
        let cases: [(DecisionDefinition.Operator, String, String, Bool)] = [
            (.eq, "a", "a", true), (.ne, "a", "a", false), (.gt, "b", "a", true), (.ge, "a", "a", true),
            (.lt, "a", "b", true), (.le, "b", "a", false),
        ]
        for (op, left, right, expected) in cases {
            #expect(try Comparison(op: op, type: .character).evaluate(left, right) == expected, "\(op)")
        }
        #expect(try Comparison(op: .eq, type: .number).evaluate("1.50", "1.5"))
        #expect(throws: DocumentError.self) { try Comparison(op: .regex, type: .character).evaluate("a", "(") }
        #expect(throws: DocumentError.self) { try Comparison(op: .eq, type: .number).evaluate("12abc", "12") }
    }

    @Test("route sends each document to the matching path, the default, or fails it")
    func route() async {
        let definition = RouteDefinition(on: .documentProperty("type"), cases: [
            .init(value: "order", next: "orders"), .init(value: "refund", next: "refunds"),
        ], defaultNext: "other")
        let assign = PropertyAssignment(scope: .document, name: "type", value: value(.profile(path: "/t")))
        let ws = workspace(shapes: [
            shape("props", .setProperties([assign], next: "route")),
            shape("route", .route(definition)),
            probe("orders"), probe("refunds"), probe("other"),
        ])
        let probe = Probe()
        let execution = await probe.run(ws, [#"{"t":"refund","n":1}"#, #"{"t":"order","n":2}"#, #"{"t":"x","n":3}"#,
                                             #"{"t":"order","n":4}"#])
        #expect(probe.at("orders") == [#"{"t":"order","n":2}"#, #"{"t":"order","n":4}"#])
        #expect(probe.at("refunds") == [#"{"t":"refund","n":1}"#])
        #expect(probe.at("other") == [#"{"t":"x","n":3}"#])
        #expect(execution.status == .complete)

        var strict = ws
        strict.processes["p"]?.shapes[2] = shape("route", .route(RouteDefinition(on: .profile(path: "/t"), cases: definition.cases)))
        let second = Probe()
        let failed = await second.run(strict, [#"{"t":"order"}"#, #"{"t":"nope"}"#])
        #expect(second.at("orders").count == 1)
        #expect(failed.documentsError == 1)
        #expect(failed.error?.contains("route value 'nope' matches no <when>") == true)
    }

    @Test("branch runs every document down each path, one path after the other")
    func branch() async {
        let ws = workspace(shapes: [shape("fork", .branch(paths: ["first", "second"])), probe("first"), probe("second")])
        let probe = Probe()
        let execution = await probe.run(ws, ["1", "2"])
        #expect(probe.seen.values == ["first:1", "first:2", "second:1", "second:2"])
        #expect(counts(execution, "fork") == ShapeCount(shapeID: "fork", documentsIn: 2, documentsOut: 4))
        #expect(execution.documentsOut == 4)
    }
}
