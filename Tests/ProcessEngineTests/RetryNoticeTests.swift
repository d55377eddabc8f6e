import Foundation
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// A connector whose operation tells of one retry per batch through its environment.
private struct RetryingConnector: Connector {
    let type = "scripted"

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }

    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        let note = environment.noteRetry, count = environment.countRetry
        return ScriptedConnector.Operation(documents: []) { documents, _ in
            note(RetryNotice(request: "GET https://example.test/items", attempt: 1, maxAttempts: 4,
                             delay: .milliseconds(1_500), reason: "HTTP 503"))
            count()
            return OperationOutcome(outputs: documents)
        }
    }
}

/// Collects retry notices.
private final class RetryLog: ProgressObserver {
    private let notices = Mutex<[(RetryNotice, String, String)]>([])
    func progressed(_ progress: ExecutionProgress) {}
    func retrying(_ notice: RetryNotice, shapeID: String, executionID: String) {
        notices.withLock { $0.append((notice, shapeID, executionID)) }
    }
    var all: [(RetryNotice, String, String)] { notices.withLock { $0 } }
}

@Suite struct RetryNoticeTests {
    @Test("an operation's retry notices reach the run's observer with the shape and execution")
    func noticesReachTheObserver() async throws {
        let ws = sendWorkspace()
        let log = RetryLog()
        var runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([RetryingConnector()]),
                                   recorder: DiscardingRecorder(), environment: [:], chunkSize: 10)
        runner.progress = log
        let execution = await runner.run(processID: "p", inputs: (0..<25).map { json("{\"n\":\($0)}") })
        #expect(execution.status == .complete)
        #expect(execution.retries == 3)
        let notices = log.all
        #expect(notices.count == 3)
        #expect(notices.allSatisfy { $0.1 == "send" && $0.2 == execution.info.id })
        #expect(notices.first?.0 == RetryNotice(request: "GET https://example.test/items", attempt: 1, maxAttempts: 4,
                                                 delay: .milliseconds(1_500), reason: "HTTP 503"))
    }

    @Test("without an observer, retries are still counted")
    func countedWithoutObserver() async throws {
        let ws = sendWorkspace()
        let runner = ProcessRunner(workspace: ws, connectors: ConnectorRegistry([RetryingConnector()]),
                                   recorder: DiscardingRecorder(), environment: [:], chunkSize: 10)
        let execution = await runner.run(processID: "p", inputs: (0..<5).map { json("{\"n\":\($0)}") })
        #expect(execution.retries == 1)
    }

    @Test("one line a second for each shape of an execution; the retries in between counted on the next")
    func throttle() {
        var throttle = RetryThrottle()
        let start = ContinuousClock.now
        #expect(throttle.admit("e1/write", now: start) == 0)
        #expect(throttle.admit("e1/write", now: start + .milliseconds(300)) == nil)
        #expect(throttle.admit("e1/write", now: start + .milliseconds(900)) == nil)
        // Another shape, another execution: lines of their own.
        #expect(throttle.admit("e1/read", now: start + .milliseconds(900)) == 0)
        #expect(throttle.admit("e2/write", now: start + .milliseconds(900)) == 0)
        #expect(throttle.admit("e1/write", now: start + .milliseconds(1_000)) == 2)
        #expect(throttle.admit("e1/write", now: start + .milliseconds(2_500)) == 0)
    }

    @Test("a far end's line breaks and terminal escapes stay in one printable line")
    func controlCharactersAreEscaped() {
        let notice = RetryNotice(request: "AppendRows to p.d.t", attempt: 1, maxAttempts: 8, delay: .seconds(1),
                                 reason: "UNAVAILABLE (14): down\nretry: shape 'x': forged\u{1B}[2J\u{9B}31m\u{7F}é")
        let line = RetryThrottle.line(notice, shapeID: "write", held: 0)
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(line.contains(#"down\u{a}retry: shape 'x': forged\u{1b}[2J\u{9b}31m\u{7f}é)"#), "\(line)")
    }

    @Test("a huge request or reason is cut, saying how much was left out")
    func hugePartsAreCut() {
        let notice = RetryNotice(request: "GET https://api.test/items/" + String(repeating: "x", count: 5_000),
                                 attempt: 1, maxAttempts: 3, delay: .seconds(2), reason: String(repeating: "é", count: 3_000))
        let line = RetryThrottle.line(notice, shapeID: "call", held: 0)
        #expect(line.count < 2_200, "\(line.count)")
        #expect(line.contains("… (4027 more characters) failed (") && line.contains("… (2000 more characters)); attempt 2 of 3"),
                "\(line.suffix(200))")
    }

    @Test("a long-lived host forgets the keys of executions quiet for a minute")
    func quietKeysAreForgotten() {
        var throttle = RetryThrottle()
        let start = ContinuousClock.now
        for index in 0..<1_000 { #expect(throttle.admit("old-\(index)/s", now: start) == 0) }
        #expect(throttle.admit("old-1/s", now: start + .milliseconds(10)) == nil)
        // The thousandth key after a minute prunes the quiet ones; old-1's held retry is not told.
        #expect(throttle.admit("new/s", now: start + .seconds(61)) == 0)
        #expect(throttle.admit("old-1/s", now: start + .seconds(61)) == 0)
    }

    @Test("the line names the shape, request, reason, next attempt and wait, and the request only once")
    func line() {
        let notice = RetryNotice(request: "GET https://example.test/items", attempt: 2, maxAttempts: 8,
                                 delay: .milliseconds(3_240), reason: "HTTP 503")
        #expect(RetryThrottle.line(notice, shapeID: "call", held: 0)
                == "retry: shape 'call': GET https://example.test/items failed (HTTP 503); attempt 3 of 8 in 3.2 s")
        #expect(RetryThrottle.line(notice, shapeID: "call", held: 1).hasSuffix("in 3.2 s (1 more retry since the last line)"))
        #expect(RetryThrottle.line(notice, shapeID: "call", held: 5).hasSuffix("(5 more retries since the last line)"))
        let storage = RetryNotice(request: "AppendRows to p.d.t", attempt: 1, maxAttempts: 0, delay: .seconds(1),
                                  reason: "AppendRows to p.d.t: UNAVAILABLE (14): gone")
        #expect(RetryThrottle.line(storage, shapeID: "write", held: 0)
                == "retry: shape 'write': AppendRows to p.d.t failed (UNAVAILABLE (14): gone); attempt 2 in 1.0 s")
    }
}
