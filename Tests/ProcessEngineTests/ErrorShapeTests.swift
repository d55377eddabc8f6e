import Foundation
import ProcessEngine
import ProcessModel
import Testing

@Suite("tryCatch, exception, notify and stop shapes")
struct ErrorShapeTests {
    func tryWorkspace(retries: Int, inner: [ShapeDefinition], onError: [ShapeDefinition]) -> Workspace {
        workspace(shapes: [shape("try", .tryCatch(TryCatchDefinition(next: inner[0].id, onError: onError[0].id,
                                                                     retries: retries)))] + inner + onError)
    }

    @Test("documents failing after a tryCatch are retried, then go to onError with error properties")
    func tryCatchRetries() async {
        let errorLog = NotifyDefinition(level: .info, message: "{error.shape}: {error.message}")
        let ws = tryWorkspace(retries: 2, inner: [probe("flaky")],
                              onError: [shape("log", .notify(errorLog, next: "caught")), probe("caught")])
        let probe = Probe()
        let execution = await probe.run(ws, ["ok-1", "fail-2", "ok-3"])
        #expect(probe.at("flaky") == ["ok-1", "fail-2", "ok-3", "fail-2", "fail-2"], "one try and two retries")
        #expect(probe.at("caught") == ["fail-2"])
        #expect(execution.userLog == ["INFO log: flaky: rejected fail-2"])
        #expect(execution.status == .complete, "caught documents are not execution errors")
        #expect(execution.documentsError == 0)
        #expect(execution.error == nil)
        #expect(counts(execution, "flaky")?.documentsError == 3)
    }

    @Test("an exception shape inside a try is caught; outside it fails the execution")
    func exception() async {
        let raise = shape("raise", .exception(message: "bad document {kind} in {execution:processId}"))
        let assign = PropertyAssignment(scope: .document, name: "kind", value: value(.profile(path: "/k")))
        let caught = workspace(shapes: [
            shape("props", .setProperties([assign], next: "try")),
            shape("try", .tryCatch(TryCatchDefinition(next: "raise", onError: "handler"))),
            raise, probe("handler"),
        ])
        let probe = Probe()
        let execution = await probe.run(caught, [#"{"k":"x"}"#])
        #expect(execution.status == .complete)
        #expect(probe.at("handler") == [#"{"k":"x"}"#])

        let uncaught = workspace(shapes: [shape("props", .setProperties([assign], next: "raise")), raise])
        let failed = await Probe().run(uncaught, [#"{"k":"y"}"#])
        #expect(failed.status == .error)
        #expect(failed.documentsError == 1)
        #expect(failed.error == "shape 'raise', document 0: bad document y in p")
    }

    @Test("a failure on the onError path is an execution error again")
    func failingHandler() async {
        let ws = tryWorkspace(retries: 0, inner: [probe("flaky")], onError: [shape("again", .exception(message: "gave up"))])
        let execution = await Probe().run(ws, ["fail"])
        #expect(execution.status == .error)
        #expect(execution.documentsError == 1)
        #expect(execution.error?.contains("gave up") == true)
    }

    @Test("nested tryCatch shapes: the inner one catches first")
    func nested() async {
        let ws = workspace(shapes: [
            shape("outer", .tryCatch(TryCatchDefinition(next: "inner", onError: "outer-handler"))),
            shape("inner", .tryCatch(TryCatchDefinition(next: "flaky", onError: "inner-handler"))),
            probe("flaky"),
            shape("inner-handler", .exception(message: "inner handler failed")),
            probe("outer-handler"),
        ])
        let probe = Probe()
        let execution = await probe.run(ws, ["fail"])
        #expect(probe.at("outer-handler") == ["fail"])
        #expect(execution.status == .complete)
    }

    @Test("notify warnings make the execution COMPLETE_WARN; info keeps COMPLETE; bad templates fail")
    func notify() async {
        func run(_ level: NotifyDefinition.Level, _ message: String) async -> Execution {
            let ws = workspace(shapes: [shape("say", .notify(NotifyDefinition(level: level, message: message), next: "out")),
                                        probe("out")])
            return await Probe().run(ws, ["a"])
        }
        let info = await run(.info, "hello {execution:processName}")
        #expect(info.status == .complete)
        #expect(info.userLog == ["INFO say: hello Test process"])
        let warning = await run(.warning, "careful")
        #expect(warning.status == .completeWarn)
        #expect(warning.userLog == ["WARNING say: careful"])
        let error = await run(.error, "bad")
        #expect(error.status == .completeWarn)
        #expect(error.documentsOut == 1, "notify never stops documents")
        let missing = await run(.info, "{nothing}")
        #expect(missing.status == .error)
    }

    @Test("stop continue=false ends the execution after the current documents")
    func stopExecution() async {
        let ws = workspace(shapes: [
            shape("fork", .branch(paths: ["first", "second"])),
            probe("first", next: "halt"),
            shape("halt", .stop(continue: false)),
            probe("second"),
        ])
        let probe = Probe()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([probe.connector]),
                                   recorder: MemoryRecorder(), environment: [:], chunkSize: 2)
        let execution = await runner.run(processID: "p", inputs: ["1", "2", "3"].map(json))
        #expect(probe.at("first") == ["1", "2"], "the next start chunk does not run")
        #expect(probe.at("second").isEmpty, "later branch paths do not run")
        #expect(execution.status == .complete)
        #expect(execution.userLog == [#"stopped by shape 'halt' (continue="false")"#])
    }
}
