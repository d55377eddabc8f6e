import Foundation
import ProcessEngine
import ProcessModel
import Testing

@Suite("processCall, returnDocuments, flowControl and process options")
struct ProcessCallTests {
    /// `p` calls `child`, which tags each document and returns it (or fails on "fail").
    func calling(wait: Bool = true, childShapes: [ShapeDefinition]? = nil) -> Workspace {
        var ws = workspace(shapes: [shape("call", .processCall(ProcessCallDefinition(process: "child", wait: wait),
                                                              next: "after")), probe("after")])
        let tag = MessageDefinition(text: "child saw {1}", values: [value(.profile(path: "/n"))])
        let shapes = childShapes ?? [
            shape("in", .start(.input, next: "flaky-child")),
            probe("flaky-child", next: "tag"),
            shape("tag", .message(tag, next: "back")),
            shape("back", .returnDocuments),
        ]
        ws.processes["child"] = ProcessDefinition(id: "child", name: "Child", shapes: shapes, location: here)
        return ws
    }

    @Test("a called process gets the documents; what it returns continues at next")
    func returned() async {
        let probe = Probe()
        let recorder = MemoryRecorder()
        let execution = await probe.run(calling(), [#"{"n":1}"#, #"{"n":2}"#], recorder: recorder)
        #expect(probe.at("flaky-child") == [#"{"n":1}"#, #"{"n":2}"#])
        #expect(probe.at("after") == ["child saw 1", "child saw 2"])
        #expect(execution.status == .complete)
        let child = recorder.finished.first { $0.info.processID == "child" }
        #expect(child?.info.trigger == .subprocess)
        #expect(child?.info.parentExecutionID == execution.info.id)
        #expect(child?.documentsOut == 2)
    }

    @Test("a failing child fails the documents of the call; wait=false continues with the inputs")
    func childFailure() async {
        let failing = await Probe().run(calling(), [#"{"n":"fail"}"#])
        #expect(failing.status == .error)
        #expect(failing.error?.contains("process call 'child'") == true)

        let probe = Probe()
        let detached = await probe.run(calling(wait: false), [#"{"n":1}"#])
        #expect(probe.at("after") == [#"{"n":1}"#])
        #expect(detached.status == .complete)
    }

    @Test("a child without returnDocuments hands the inputs on")
    func noReturn() async {
        let probe = Probe()
        let ws = calling(childShapes: [shape("in", .start(.input, next: "end")), shape("end", .stop(continue: true))])
        _ = await probe.run(ws, ["a"])
        #expect(probe.at("after") == ["a"])
    }

    @Test("recursive process calls stop at the depth limit with a clear error")
    func recursion() async {
        var ws = workspace(shapes: [shape("call", .processCall(ProcessCallDefinition(process: "p"), next: "done"))])
        ws.processes["p"]?.allowSimultaneous = false
        let execution = await Probe().run(ws, ["x"])
        #expect(execution.status == .error)
        #expect(execution.error?.contains("more than 10 nested process calls") == true)
    }

    @Test("flowControl sends documents downstream in batches")
    func flowControl() async {
        let batches = Seen()
        let connector = ScriptedConnector(execute: { documents, _ in
            batches.add(String(documents.count))
            return OperationOutcome(outputs: documents)
        })
        let ws = workspace(shapes: [shape("batches", .flowControl(FlowControlDefinition(batchSize: 2, threads: 3), next: "send")),
                                    shape("send", .connector(connection: "c", operation: "op", next: "done"))])
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: MemoryRecorder(),
                                   environment: [:])
        let execution = await runner.run(processID: "p", inputs: (0..<5).map { json("\($0)") })
        #expect(batches.values.sorted() == ["1", "2", "2"], "threads=3 runs batches concurrently, in any order")
        #expect(execution.documentsOut == 5)
        #expect(counts(execution, "send") == ShapeCount(shapeID: "send", documentsIn: 5, documentsOut: 5))
    }

    @Test("a loop through a flowControl shape that never ends is stopped with a clear error")
    func endlessLoop() async {
        let touch = PropertyAssignment(scope: .document, name: "seen", value: literal("yes"))
        let ws = workspace(shapes: [shape("loop", .flowControl(FlowControlDefinition(batchSize: 1), next: "touch")),
                                    shape("touch", .setProperties([touch], next: "loop"))])
        let execution = await Probe().run(ws, ["a"])
        #expect(execution.status == .error)
        #expect(execution.error?.contains("more than 1000 shapes in one path") == true)
    }

    @Test("allowSimultaneous=false refuses a second execution while one runs")
    func simultaneous() async {
        var ws = workspace(shapes: [])
        let registry = ExecutionRegistry()
        #expect(registry.begin("p"))
        let refused = await Probe().run(ws, ["a"], registry: registry)
        #expect(refused.status == .error)
        #expect(refused.error?.contains("already running") == true)
        ws.processes["p"]?.allowSimultaneous = true
        let allowed = await Probe().run(ws, ["a"], registry: registry)
        #expect(allowed.status == .complete)
        registry.end("p")
        #expect(!registry.isRunning("p"))
        ws.processes["p"]?.allowSimultaneous = false
        let again = await Probe().run(ws, ["a"], registry: registry)
        #expect(again.status == .complete)
        #expect(!registry.isRunning("p"), "the run releases the process")
    }

    @Test("stopIfNoDocuments: no documents from the start ends the execution with a log line")
    func noDocuments() async {
        let ws = workspace(shapes: [probe("out")])
        let stopped = await Probe().run(ws, [])
        #expect(stopped.status == .complete)
        #expect(stopped.userLog.first?.contains("stopIfNoDocuments") == true)
        var quiet = ws
        quiet.processes["p"]?.stopIfNoDocuments = false
        let ran = await Probe().run(quiet, [])
        #expect(ran.status == .complete)
        #expect(ran.userLog.isEmpty)
    }
}
