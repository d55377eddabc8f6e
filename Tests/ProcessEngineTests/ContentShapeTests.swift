import Foundation
import ProcessEngine
import ProcessModel
import Testing

@Suite("message, split and combine shapes")
struct ContentShapeTests {
    @Test("message replaces each document with its text; {N} take the values, braces escape")
    func message() async {
        let definition = MessageDefinition(text: #"{{"id": "{1}", "by": "{2}"}}"#,
                                           values: [value(.profile(path: "/id")), value(.execution(.processId))])
        let ws = workspace(shapes: [shape("msg", .message(definition, next: "out")), probe("out")])
        let probe = Probe()
        let execution = await probe.run(ws, [#"{"id": 7}"#, #"{"id": "x"}"#])
        #expect(probe.at("out") == [#"{"id": "7", "by": "p"}"#, #"{"id": "x", "by": "p"}"#])
        #expect(execution.status == .complete)
    }

    @Test("a message value that cannot be read fails that document")
    func messageValueError() async {
        let definition = MessageDefinition(text: "{1}", values: [value(.documentProperty("missing"))])
        let ws = workspace(shapes: [shape("msg", .message(definition, next: "out")), probe("out")])
        let execution = await Probe().run(ws, ["{}"])
        #expect(execution.documentsError == 1)
        #expect(execution.error?.contains("document property 'missing' is not set") == true)
    }

    @Test("message templates reject unknown placeholders")
    func messageTemplate() throws {
        #expect(try MessageDefinition(text: "a{1}b{{c}}", values: [literal("x")]).parts()
            == [.literal("a"), .value(0), .literal("b{c}")])
        #expect(throws: MessageTemplateError.self) { try MessageDefinition(text: "{2}", values: [literal("x")]).parts() }
        #expect(throws: MessageTemplateError.self) { try MessageDefinition(text: "{name}", values: []).parts() }
        #expect(throws: MessageTemplateError.self) { try MessageDefinition(text: "{1", values: [literal("x")]).parts() }
    }

    @Test("split makes one document per element with new indexes and the parent's properties")
    func split() async {
        let assign = PropertyAssignment(scope: .document, name: "batch", value: value(.profile(path: "/batch")))
        let notify = NotifyDefinition(level: .info, message: "{batch}")
        let ws = workspace(shapes: [
            shape("props", .setProperties([assign], next: "split")),
            shape("split", .split(SplitDefinition(by: "json-array", path: "/items"), next: "log")),
            shape("log", .notify(notify, next: "out")),
            probe("out"),
        ])
        let probe = Probe()
        let recorder = MemoryRecorder()
        let execution = await probe.run(ws, [#"{"batch":"b1","items":[{"a":1},{"a":2}]}"#, #"{"batch":"b2","items":[]}"#,
                                             #"{"batch":"b3","items":3}"#], recorder: recorder)
        #expect(probe.at("out") == [#"{"a":1}"#, #"{"a":2}"#])
        #expect(execution.userLog == ["INFO log: b1", "INFO log: b1"])
        #expect(counts(execution, "split") == ShapeCount(shapeID: "split", documentsIn: 3, documentsOut: 2, documentsError: 1))
        #expect(recorder.traces.filter { $0.shapeID == "out" }.map(\.index) == [3, 4], "split parts take new indexes")
    }

    @Test("combine waits for every document of the execution and keeps the first one's properties")
    func combine() async {
        let assign = PropertyAssignment(scope: .document, name: "n", value: value(.profile(path: "/n")))
        let ws = workspace(shapes: [
            shape("props", .setProperties([assign], next: "all")),
            shape("all", .combine(into: "json-array", next: "log")),
            shape("log", .notify(NotifyDefinition(level: .info, message: "first {n}"), next: "out")),
            probe("out"),
        ])
        let probe = Probe()
        let recorder = MemoryRecorder()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([probe.connector]), recorder: recorder,
                                   environment: [:], chunkSize: 2)
        let execution = await runner.run(processID: "p", inputs: (1...5).map { json(#"{"n":\#($0)}"#) })
        #expect(probe.at("out") == [#"[{"n":1},{"n":2},{"n":3},{"n":4},{"n":5}]"#])
        #expect(execution.userLog == ["INFO log: first 1"])
        #expect(counts(execution, "all") == ShapeCount(shapeID: "all", documentsIn: 5, documentsOut: 1))
        #expect(recorder.traces.filter { $0.shapeID == "out" }.map(\.index) == [0])
    }

    @Test("a split then a combine round-trips JSON lines")
    func splitCombine() async {
        let ws = workspace(shapes: [
            shape("split", .split(SplitDefinition(by: "json-lines"), next: "join")),
            shape("join", .combine(into: "json-array", next: "out")),
            probe("out"),
        ])
        let probe = Probe()
        let execution = await probe.run(ws, ["{\"a\":1}\n{\"a\":2}\n", "{\"a\":3}"])
        #expect(probe.at("out") == [#"[{"a":1},{"a":2},{"a":3}]"#])
        #expect(execution.status == .complete)
    }
}
