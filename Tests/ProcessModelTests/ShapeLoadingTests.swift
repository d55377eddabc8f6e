import Testing
@testable import ProcessModel

@Suite struct ShapeLoadingTests {
    @Test func loadsEveryShape() throws {
        let workspace = try WorkspaceLoader(root: fixture("shapes"), environment: [:], secrets: DictionarySecrets()).load()
        let process = try #require(workspace.processes["all-shapes"])
        #expect(process.allowSimultaneous)
        #expect(!process.stopIfNoDocuments)
        #expect(process.shapes.map(\.elementName) == [
            "start", "tryCatch", "decision", "route", "split", "flowControl", "combine", "processCall", "branch",
            "message", "notify", "exception", "notify", "stop",
        ])
        #expect(process.shape("try")?.kind == .tryCatch(TryCatchDefinition(next: "check", onError: "log-error", retries: 2)))
        guard case .decision(let decision, "route", "fail") = process.shape("check")?.kind else {
            Issue.record("decision not read")
            return
        }
        #expect(decision.op == .ge)
        #expect(decision.type == .number)
        #expect(decision.left.parts == [.profile(path: "/amount")])
        #expect(decision.right.parts == [.literal("100")])
        #expect(process.shape("route")?.kind == .route(RouteDefinition(
            on: .documentProperty("type"), cases: [.init(value: "order", next: "split"), .init(value: "refund", next: "fork")],
            defaultNext: "stop")))
        #expect(process.shape("split")?.kind == .split(SplitDefinition(by: "json-array", path: "/items"), next: "batches"))
        #expect(process.shape("batches")?.kind == .flowControl(FlowControlDefinition(batchSize: 50, threads: 2), next: "join"))
        #expect(process.shape("join")?.kind == .combine(into: "json-lines", next: "call"))
        #expect(process.shape("call")?.kind == .processCall(ProcessCallDefinition(process: "child", wait: true), next: "stop"))
        #expect(process.shape("fork")?.exits == ["msg", "stop"])
        guard case .message(let message, "notify") = process.shape("msg")?.kind else {
            Issue.record("message not read")
            return
        }
        #expect(message.text == #"{{"id": "{1}", "at": "{2}"}}"#)
        #expect(message.values.map(\.parts) == [[.profile(path: "/id")], [.execution(.startTime)]])
        #expect(process.shape("notify")?.kind == .notify(NotifyDefinition(level: .warning, message: "refund {id}"), next: "stop"))
        #expect(process.shape("fail")?.kind == .exception(message: "amount too small in {execution:id}"))
        #expect(process.shape("stop")?.kind == .stop(continue: false))
        #expect(workspace.processes["child"]?.shape("back")?.kind == .returnDocuments)
    }

    @Test func cycleThroughFlowControlIsAllowed() throws {
        let workspace = try WorkspaceLoader(root: fixture("shapes"), environment: [:], secrets: DictionarySecrets()).load()
        #expect(workspace.processes["child"]?.shape("again")?.exits == ["loop", "back"])
    }

    @Test func shapeErrorsHaveFileLineAndColumn() {
        let found = lines(diagnostics(of: fixture("shape-errors")))
        let expected = [
            "processes/errors.xml:7:7: error: <right> '[a-z' is not a valid regular expression",
            "processes/errors.xml:10:7: error: message text: '{3}' refers to value 3 but the message has 1 <value> element(s)",
            "processes/errors.xml:14:5: error: route on=\"color\" must be document:NAME, profile:/PATH, process:NAME, execution:FIELD or env:NAME",
            "processes/errors.xml:13:5: error: shape 'call' calls process 'scheduled' whose start shape is not <input/>",
            "processes/errors.xml:17:5: error: exit 'nowhere' of shape 'unused' points to no shape",
            "processes/errors.xml:17:5: error: shape 'unused' is unreachable from the start shape",
            "processes/scheduled.xml:4:5: error: shapes a → b → a form a cycle without a flowControl shape",
        ]
        #expect(!found.contains { $0.contains("exit 'where'") }, "a route with a bad 'on' still has its exits")
        for line in expected {
            #expect(found.contains(line), "missing: \(line)\nfound:\n\(found.joined(separator: "\n"))")
        }
        let schema = found.filter { $0.hasPrefix("processes/schema.xml") }
        #expect(schema.contains { $0.hasPrefix("processes/schema.xml:4:") && $0.contains("into") })
        #expect(schema.contains { $0.hasPrefix("processes/schema.xml:5:") && $0.contains("onFalse") })
        #expect(schema.contains { $0.hasPrefix("processes/schema.xml:7:") && $0.contains("op") })
        #expect(schema.contains { $0.hasPrefix("processes/schema.xml:10:") })
        #expect(schema.contains { $0.hasPrefix("processes/schema.xml:11:") && $0.contains("message") })
    }
}
