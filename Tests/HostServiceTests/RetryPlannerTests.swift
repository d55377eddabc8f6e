import ExecutionStore
import Foundation
import HostService
import ProcessEngine
import ProcessModel
import Testing

/// ``RetryPlanner``: which kept contents a retry sends, into which shapes, and every refusal; on
/// the test store (SQLite, or PostgreSQL when the suite runs on it).
@Suite struct RetryPlannerTests {
    /// `orders`: start → `send` (a connector) → done; `orders-from-start` the same with `retryFrom="start"`.
    static func workspace() -> Workspace {
        var workspace = TestHost.workspace()
        let shapes = [
            TestHost.shape("start", .start(.input, next: "tag")),
            TestHost.shape("tag", .stop(continue: true)),
            TestHost.shape("send", .connector(connection: "slow", operation: "wait", next: "done")),
            TestHost.shape("done", .stop(continue: true)),
        ]
        workspace.processes["orders"] = TestHost.process("orders", shapes: shapes, allowSimultaneous: true)
        var fromStart = TestHost.process("orders-from-start", shapes: shapes, allowSimultaneous: true)
        fromStart.retryFrom = .start
        workspace.processes[fromStart.id] = fromStart
        return workspace
    }

    static func execution(_ id: String, process: String = "orders", status: ExecutionStatus = .error,
                          failed: Int = 2, deadLettered: Int = 0) -> ExecutionRecord {
        ExecutionRecord(id: id, processID: process, processName: process, trigger: "manual", status: status,
                        startTime: Date(), endTime: status == .inProcess ? nil : Date(), documentsIn: 3,
                        documentsError: failed, documentsDeadLettered: deadLettered)
    }

    static func content(_ execution: String, index: Int, status: DocumentStatus = .error, shape: String = "send",
                        direction: String = "input", text: String, cut: Bool = false,
                        redacted: Bool = false) -> DocumentContentRecord {
        DocumentContentRecord(executionID: execution, shapeID: shape, connectionID: "slow", operationID: "wait",
                              direction: direction, index: index, status: status, content: Array(text.utf8),
                              size: cut ? 999 : nil, cut: cut, redacted: redacted, properties: ["file": "f\(index)"],
                              error: status == .success ? nil : "failed")
    }

    static func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no refusal"
        } catch let refusal as RetryPlanner.Refusal {
            return refusal.message
        } catch {
            return "other error: \(error)"
        }
    }

    @Test func failedAndDeadLetteredInputsAreSentIntoTheirShape() throws {
        let store = try TestHost.store()
        try store.insert(Self.execution("ex-a", failed: 2, deadLettered: 1))
        try store.record(contents: [
            Self.content("ex-a", index: 0, status: .success, text: "ok"),
            Self.content("ex-a", index: 1, text: "{\"n\":1}"),
            Self.content("ex-a", index: 1, direction: "output", text: "out"),
            Self.content("ex-a", index: 2, status: .deadLettered, text: "{\"n\":2}"),
        ])
        let retry = try RetryPlanner(store: store, workspace: Self.workspace()).retry(executionID: "ex-a")
        #expect(retry.executionID == "ex-a-retry")
        #expect(retry.plan.originalExecutionID == "ex-a")
        #expect(retry.plan.entries.map(\.shapeID) == ["send"])
        let documents = retry.plan.entries.flatMap(\.documents)
        #expect(documents.map { String(decoding: $0.data, as: UTF8.self) } == ["{\"n\":1}", "{\"n\":2}"])
        #expect(documents.map { $0.properties["file"] } == ["f1", "f2"])
        #expect(retry.plan.notes.count == 1 && retry.plan.notes[0].hasPrefix("1 other failed document(s)"),
                "three failed, two kept: \(retry.plan.notes)")

        try store.insert(Self.execution("ex-b", process: "orders-from-start", failed: 1))
        try store.record(contents: [Self.content("ex-b", index: 4, text: "x")])
        let fromStart = try RetryPlanner(store: store, workspace: Self.workspace()).retry(executionID: "ex-b")
        #expect(fromStart.plan.entries.map(\.shapeID) == ["tag"], "the shape after the start shape")
    }

    @Test func everyRefusalNamesWhy() throws {
        let store = try TestHost.store()
        let planner = RetryPlanner(store: store, workspace: Self.workspace())
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-missing") } == "no execution has the id 'ex-missing'")

        try store.insert(Self.execution("ex-run", status: .inProcess))
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-run") }.contains("is still running"))

        try store.insert(Self.execution("ex-ok", status: .complete, failed: 0))
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-ok") }.hasSuffix("nothing to retry: no document failed in it"))

        try store.insert(Self.execution("ex-nothing-kept"))
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-nothing-kept") }
                    .contains("no content of its 2 failed document(s) was kept"))

        try store.insert(Self.execution("ex-cut"))
        try store.record(contents: [Self.content("ex-cut", index: 0, text: "abc", cut: true)])
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-cut") }.contains("was kept cut at 3 of its 999 bytes"))

        try store.insert(Self.execution("ex-secret"))
        try store.record(contents: [Self.content("ex-secret", index: 0, text: "***", redacted: true)])
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-secret") }.contains("held a secret value"))

        try store.insert(Self.execution("ex-gone-shape"))
        try store.record(contents: [Self.content("ex-gone-shape", index: 0, shape: "old-send", text: "x")])
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-gone-shape") }
                    .contains("shape 'old-send', where document 0 failed, is not in process 'orders' any more"))

        try store.insert(Self.execution("ex-gone-process", process: "retired"))
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-gone-process") }
                    .contains("process 'retired' of execution ex-gone-process is not in the workspace any more"))
    }

    @Test func anExecutionIsRetriedOnceUnlessForced() throws {
        let store = try TestHost.store()
        let planner = RetryPlanner(store: store, workspace: Self.workspace())
        try store.insert(Self.execution("ex-once"))
        try store.record(contents: [Self.content("ex-once", index: 0, text: "x")])
        try store.insert(Self.execution("ex-once-retry", status: .complete, failed: 0))
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-once") }
                    .contains("was already retried by ex-once-retry (COMPLETE"))
        #expect(try planner.retry(executionID: "ex-once", force: true).executionID == "ex-once-retry2")
        try store.insert(Self.execution("ex-once-retry2", status: .inProcess))
        #expect(Self.refusal { _ = try planner.retry(executionID: "ex-once", force: true) }
                    .contains("is being retried now by ex-once-retry2"))
    }

    @Test func theRetryExecutionSendsTheDocumentsIntoTheShape() async throws {
        let store = try TestHost.store()
        let workspace = Self.workspace()
        try store.insert(Self.execution("ex-run-me"))
        try store.record(contents: [Self.content("ex-run-me", index: 0, text: "a"),
                                    Self.content("ex-run-me", index: 1, text: "b")])
        let retry = try RetryPlanner(store: store, workspace: workspace).retry(executionID: "ex-run-me")
        let host = TestHost.host(workspace, store: store)
        let outcome = await host.run(processID: "orders", trigger: .retry, executionID: retry.executionID,
                                     retry: retry.plan)
        guard case .finished(let execution, _) = outcome else {
            Issue.record("the retry did not run: \(outcome)")
            return
        }
        #expect(execution.status == .complete, "\(execution.error ?? "")")
        #expect(execution.info.trigger == .retry && execution.info.parentExecutionID == "ex-run-me")
        #expect(execution.documentsIn == 2)
        let counts = Dictionary(uniqueKeysWithValues: execution.shapeCounts.map { ($0.shapeID, $0) })
        #expect(counts["send"]?.documentsIn == 2 && counts["send"]?.documentsOut == 2)
        #expect(counts["tag"]?.documentsIn == 0 && counts["start"]?.documentsOut == 0, "the start shape read nothing")
        #expect(execution.userLog.first == "retry of execution ex-run-me: sending 2 failed document(s) again")
        let stored = try #require(try store.execution(exactID: "ex-run-me-retry"))
        #expect(stored.parentExecutionID == "ex-run-me" && stored.trigger == "retry")
    }
}
