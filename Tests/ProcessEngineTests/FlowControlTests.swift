import Foundation
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

@Suite("flowControl threads")
struct FlowControlTests {
    /// A connector for shapes `slow*` (sleeps longer for earlier documents, so later batches finish
    /// first), `flaky*` (fails documents containing "fail") and anything else (passes documents on).
    /// Records the largest number of calls running at once.
    final class Lanes: Sendable {
        let seen = Seen()
        private let running = Mutex<(now: Int, most: Int)>((0, 0))
        let delay: @Sendable (Document) -> Duration

        init(delay: @escaping @Sendable (Document) -> Duration = { _ in .zero }) { self.delay = delay }

        var mostAtOnce: Int { running.withLock { $0.most } }

        var connector: ScriptedConnector {
            ScriptedConnector(execute: { documents, context in
                self.running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                defer { self.running.withLock { $0.now -= 1 } }
                for document in documents { self.seen.add("\(context.shapeID):\(document.text)") }
                if context.shapeID.hasPrefix("slow"), let first = documents.first {
                    try await Task.sleep(for: self.delay(first))
                }
                guard context.shapeID.hasPrefix("flaky") else { return OperationOutcome(outputs: documents) }
                var outcome = OperationOutcome(outputs: [])
                for document in documents {
                    if document.text.contains("fail") {
                        outcome.failures.append(DocumentFailure(document: document, message: "rejected \(document.text)", code: .rejected))
                    } else {
                        outcome.outputs.append(document)
                    }
                }
                return outcome
            })
        }

        func at(_ shapeID: String) -> [String] {
            seen.values.filter { $0.hasPrefix(shapeID + ":") }.map { String($0.dropFirst(shapeID.count + 1)) }
        }

        func run(_ ws: Workspace, _ inputs: [String], recorder: MemoryRecorder = MemoryRecorder()) async -> Execution {
            let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([connector]), recorder: recorder,
                                       environment: [:])
            return await runner.run(processID: "p", inputs: inputs.map(json))
        }
    }

    func flow(batchSize: Int, threads: Int, next: String) -> ShapeDefinition {
        shape("flow", .flowControl(FlowControlDefinition(batchSize: batchSize, threads: threads), next: next))
    }

    /// flow → slow → props (document n, process last) → notify → decision even/odd → even: combine → out;
    /// odd: flaky-odd.
    func pipeline(threads: Int) -> Workspace {
        let assignments = [
            PropertyAssignment(scope: .document, name: "n", value: value(.profile(path: "/n"))),
            PropertyAssignment(scope: .process, name: "last", value: value(.profile(path: "/n"))),
        ]
        let even = DecisionDefinition(left: value(.profile(path: "/n")), op: .regex, type: .character, format: nil,
                                      right: literal("\\d*[02468]"))
        return workspace(shapes: [
            flow(batchSize: 3, threads: threads, next: "slow"),
            probe("slow", next: "props"),
            shape("props", .setProperties(assignments, next: "log")),
            shape("log", .notify(NotifyDefinition(level: .info, message: "saw {n}"), next: "check")),
            shape("check", .decision(even, onTrue: "all", onFalse: "flaky-odd")),
            shape("all", .combine(into: "json-lines", next: "out")),
            probe("out"),
            probe("flaky-odd"),
        ])
    }

    func inputs(_ count: Int) -> [String] {
        (0..<count).map { #"{"n":"\#($0)","s":"\#($0 % 3 == 0 ? "fail" : "ok")"}"# }
    }

    @Test("threads > 1 gives the same counts, tracking, log, properties and combines as threads 1")
    func sameAsSequential() async {
        let later = { @Sendable (document: Document) -> Duration in
            .milliseconds(30 - (Int(document.text.split(separator: "\"")[3]) ?? 0))
        }
        let sequential = Lanes(delay: later)
        let sequentialRecorder = MemoryRecorder()
        let one = await sequential.run(pipeline(threads: 1), inputs(20), recorder: sequentialRecorder)
        let parallel = Lanes(delay: later)
        let parallelRecorder = MemoryRecorder()
        let four = await parallel.run(pipeline(threads: 4), inputs(20), recorder: parallelRecorder)

        #expect(parallel.mostAtOnce > 1, "batches ran concurrently")
        #expect(parallel.mostAtOnce <= 4)
        #expect(one.status == .error)
        #expect(four.status == one.status)
        #expect(four.documentsIn == 20)
        #expect(four.documentsOut == one.documentsOut)
        #expect(four.documentsError == one.documentsError)
        #expect(four.documentsError == 3, "odd documents with n % 3 == 0: 3, 9 and 15")
        #expect(four.error == one.error)
        #expect(four.shapeCounts == one.shapeCounts)
        #expect(four.userLog == one.userLog)
        #expect(four.userLog.first == "INFO log: saw 0")
        #expect(four.processProperties == one.processProperties)
        #expect(four.processProperties["last"] == "19", "the last batch's value wins")
        #expect(parallelRecorder.traces == sequentialRecorder.traces)
        #expect(parallel.at("out") == sequential.at("out"), "combined in batch order")
        #expect(parallel.at("out").first?.hasPrefix(#"{"n":"0""#) == true)
    }

    @Test("threads 4 runs slow batches about four times as fast as threads 1")
    func concurrent() async {
        let documents = (0..<8).map { #"{"n":"\#($0)"}"# }
        func timed(_ threads: Int) async -> (Duration, Execution) {
            let lanes = Lanes(delay: { _ in .milliseconds(150) })
            let ws = workspace(shapes: [flow(batchSize: 1, threads: threads, next: "slow"), probe("slow")])
            let clock = ContinuousClock()
            let start = clock.now
            let execution = await lanes.run(ws, documents)
            return (clock.now - start, execution)
        }
        let (sequential, one) = await timed(1)
        let (parallel, four) = await timed(4)
        #expect(parallel < sequential * 0.6, "threads=4 took \(parallel), threads=1 took \(sequential)")
        #expect(one.documentsOut == 8)
        #expect(four.documentsOut == 8)
        #expect(four.shapeCounts == one.shapeCounts)
    }

    @Test("a document failing inside a lane is recorded once, and the first error follows batch order")
    func errorsOnce() async {
        let recorder = MemoryRecorder()
        let lanes = Lanes(delay: { document in document.text.contains("0") ? .milliseconds(60) : .zero })
        let ws = workspace(shapes: [flow(batchSize: 1, threads: 4, next: "slow"), probe("slow", next: "flaky"),
                                    probe("flaky")])
        let execution = await lanes.run(ws, ["fail-0", "ok-1", "fail-2", "fail-3", "ok-4"], recorder: recorder)
        #expect(execution.status == .error)
        #expect(execution.documentsError == 3)
        #expect(execution.documentsOut == 2)
        #expect(execution.error == "shape 'flaky', document 0: rejected fail-0")
        let errors = recorder.traces.filter { $0.status == .error }
        #expect(errors.map(\.index) == [0, 2, 3])
        #expect(counts(execution, "flaky") == ShapeCount(shapeID: "flaky", documentsIn: 5, documentsOut: 2,
                                                          documentsError: 3))
        #expect(recorder.finished.count == 1)
    }

    @Test("a tryCatch around a threaded flowControl catches and retries failures from every lane")
    func caughtAcrossLanes() async {
        let errorLog = NotifyDefinition(level: .info, message: "{error.shape}: {error.message}")
        let ws = workspace(shapes: [
            shape("try", .tryCatch(TryCatchDefinition(next: "flow", onError: "log", retries: 1))),
            flow(batchSize: 1, threads: 4, next: "slow"),
            probe("slow", next: "flaky"),
            probe("flaky"),
            shape("log", .notify(errorLog, next: "caught")),
            probe("caught"),
        ])
        let lanes = Lanes(delay: { document in document.text.hasSuffix("2") ? .milliseconds(50) : .zero })
        let execution = await lanes.run(ws, ["ok-1", "fail-2", "ok-3", "fail-4"])
        #expect(execution.status == .complete)
        #expect(execution.documentsError == 0)
        #expect(lanes.at("caught") == ["fail-2", "fail-4"])
        #expect(execution.userLog == ["INFO log: flaky: rejected fail-2", "INFO log: flaky: rejected fail-4"])
        #expect(lanes.at("flaky").filter { $0.hasPrefix("fail") }.count == 4, "one try and one retry each")
        #expect(counts(execution, "flaky")?.documentsError == 4)
        #expect(counts(execution, "flow") == ShapeCount(shapeID: "flow", documentsIn: 6, documentsOut: 6))
    }

    @Test("stop continue=false and returned documents inside lanes reach the execution")
    func stopInLane() async {
        let ws = workspace(shapes: [flow(batchSize: 2, threads: 3, next: "halt"),
                                    shape("halt", .stop(continue: false))])
        let execution = await Lanes().run(ws, ["a", "b", "c", "d", "e"])
        #expect(execution.status == .complete)
        #expect(execution.documentsOut == 5)
        #expect(execution.userLog == ["stopped by shape 'halt' (continue=\"false\")"], "logged once")
    }
}
