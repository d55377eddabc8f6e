import Foundation
import ProcessEngine
import ProcessModel
import Testing

/// Failures carry a stable ``DocumentError/Code`` from where they are thrown to the document's
/// tracking record.
@Suite("document error codes")
struct DocumentErrorCodeTests {
    func code(_ body: () throws -> Void) -> DocumentError.Code? {
        do {
            try body()
            return nil
        } catch let error as DocumentError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test("throw sites set the code of what went wrong")
    func throwSites() {
        #expect(code { _ = try InterpolatedText("{open") } == .setting)
        let info = ExecutionInfo(id: "e", processID: "p", processName: "P", startTime: Date(), trigger: .manual)
        #expect(code {
            _ = try InterpolatedText("{execution:nothing}").render(document: json("{}"), processProperties: [:], execution: info)
        } == .setting)
        #expect(code {
            _ = try InterpolatedText("{table}").render(document: json("{}"), processProperties: [:], execution: info)
        } == .property)
        #expect(code { _ = try Comparison(op: .eq, type: .number).evaluate("12abc", "12") } == .decision)
        #expect(code {
            var broken = Document.xml("<order><id>7</order>")
            _ = try broken.json()
        } == .content)
        #expect(DocumentError.code(of: CancellationError(), else: .connector) == .connector)
        #expect(DocumentFailure(document: json("{}"), error: DocumentError("x", code: .path)).code == .path)
    }

    @Test("codes are stable strings")
    func rawValues() {
        #expect(DocumentError.Code.allCases.map(\.rawValue) == [
            "content", "path", "property", "value", "decision", "mapping", "setting", "process", "processCall",
            "exception", "schema", "rejected", "unavailable", "connector", "deadLettered",
        ])
    }

    @Test("a failed document's trace carries the code: a connector's, an exception shape's")
    func tracesCarryTheCode() async {
        let recorder = MemoryRecorder()
        let rejected = await Probe().run(workspace(shapes: [probe("flaky")]), ["ok-1", "fail-2"], recorder: recorder)
        #expect(rejected.documentsError == 1)
        let failed = recorder.traces.filter { $0.status == .error }
        #expect(failed.map(\.errorCode) == [.rejected], "\(failed)")

        let raising = MemoryRecorder()
        _ = await Probe().run(workspace(shapes: [shape("raise", .exception(message: "no"))]), ["a"], recorder: raising)
        #expect(raising.traces.filter { $0.status == .error }.map(\.errorCode) == [.exception])
    }

    @Test("a caught document carries the code in the error.code property")
    func caughtDocumentsCarryTheCode() async {
        let errorLog = NotifyDefinition(level: .info, message: "{error.shape}: {error.code}")
        let ws = workspace(shapes: [
            shape("try", .tryCatch(TryCatchDefinition(next: "flaky", onError: "log"))), probe("flaky"),
            shape("log", .notify(errorLog, next: "caught")), probe("caught"),
        ])
        let execution = await Probe().run(ws, ["ok-1", "fail-2"])
        #expect(execution.userLog == ["INFO log: flaky: rejected"])
    }
}
