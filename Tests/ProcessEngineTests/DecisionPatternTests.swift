import Foundation
@testable import ProcessEngine
import ProcessModel
import Testing

@Suite("decision patterns compile once per shape")
struct DecisionPatternTests {
    func run(right: ValueDefinition, op: DecisionDefinition.Operator = .regex, inputs: [String],
             threads: Int = 1) async throws -> (ExecutionRun, Execution, Probe) {
        let definition = DecisionDefinition(left: value(.profile(path: "/v")), op: op, type: .character, format: nil,
                                            right: right)
        let ws = workspace(shapes: [
            shape("flow", .flowControl(FlowControlDefinition(batchSize: 1, threads: threads), next: "check")),
            shape("check", .decision(definition, onTrue: "yes", onFalse: "no")),
            probe("yes"), probe("no"),
        ])
        let probe = Probe()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([probe.connector]),
                                   recorder: MemoryRecorder(), environment: [:])
        let process = try #require(ws.processes["p"])
        let run = ExecutionRun(runner: runner, process: process, info: info, processProperties: [:])
        let execution = await run.execute(inputs: inputs.map(json))
        return (run, execution, probe)
    }

    let info = ExecutionInfo(id: "ex-test", processID: "p", processName: "p", startTime: Date(), trigger: .manual)

    @Test("a static pattern compiles once for every document and batch, in lanes too")
    func staticPattern() async throws {
        for threads in [1, 4] {
            let inputs = (0..<40).map { #"{"v": "AB-\#($0)"}"# } + [#"{"v": "x"}"#]
            let (run, execution, probe) = try await run(right: literal("[A-Z]{2}-\\d+"), inputs: inputs, threads: threads)
            #expect(run.shared.patterns(forShape: "check").compilations == 1)
            #expect(probe.at("yes").count == 40)
            #expect(probe.at("no") == [#"{"v": "x"}"#])
            #expect(execution.status == .complete)
        }
    }

    @Test("a dynamic pattern compiles once per distinct value; an invalid one fails its documents")
    func dynamicPattern() async throws {
        let inputs = (0..<30).map { #"{"v": "a\#($0 % 3)\#($0)", "p": "a\#($0 % 3)\\d*"}"# }
            + [#"{"v": "a", "p": "(a"}"#, #"{"v": "a", "p": "(a"}"#]
        let (run, execution, probe) = try await run(right: value(.profile(path: "/p")), inputs: inputs)
        #expect(run.shared.patterns(forShape: "check").compilations == 4)
        #expect(probe.at("yes").count == 30)
        #expect(execution.documentsError == 2)
        #expect(execution.error == "shape 'check', document 30: '(a' is not a valid regular expression")
    }

    @Test("wildcards are cached the same way and still match the whole value")
    func wildcard() async throws {
        let inputs = [#"{"v": "order-1.json"}"#, #"{"v": "order-1.jsonl"}"#, #"{"v": "ord.r-2.json"}"#]
        let (run, _, probe) = try await run(right: literal("ord?r-*.json"), op: .wildcard, inputs: inputs)
        #expect(run.shared.patterns(forShape: "check").compilations == 1)
        #expect(probe.at("yes") == [#"{"v": "order-1.json"}"#, #"{"v": "ord.r-2.json"}"#])
    }

    @Test("the cache starts over past its capacity instead of growing without bound")
    func capacity() throws {
        let cache = PatternCache()
        for number in 0...PatternCache.capacity {
            _ = try cache.expression(for: "a\(number)", what: "regular expression")
        }
        _ = try cache.expression(for: "a0", what: "regular expression")
        #expect(cache.compilations == PatternCache.capacity + 2, "a0 was dropped when the cache started over")
    }
}
