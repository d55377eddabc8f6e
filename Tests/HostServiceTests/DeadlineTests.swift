import Foundation
@testable import HostService
import Logging
import ProcessEngine
import ProcessModel
import Synchronization
import Testing

/// An operation that answers only once `release()` is called.
final class Gate: Sendable {
    private let waiters = Mutex<(open: Bool, continuations: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = waiters.withLock { state -> Bool in
                if state.open { return true }
                state.continuations.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let waiting = waiters.withLock { state in
            state.open = true
            defer { state.continuations = [] }
            return state.continuations
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// No test here bounds a wait by the clock: a loaded machine may leave a task unscheduled for
/// many seconds. The deadlines that must not be waited for are an hour long, and a test that
/// waited for one would hit its time limit instead.
@Suite(.timeLimit(.minutes(2))) struct DeadlineTests {
    @Test func anAnswerInTimeIsReturned() async throws {
        let value = try await withDeadline(.seconds(3_600), waitingFor: "a test") { 42 }
        #expect(value == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await withDeadline(.seconds(3_600), waitingFor: "a test") { () async throws -> Int in throw Refused() }
        }
    }

    @Test func noAnswerEndsTheWaitAtTheDeadlineAndReleasesTheOperation() async throws {
        let gate = Gate()
        let expired = Mutex(false)
        let started = ContinuousClock.now
        var answered = false
        do {
            _ = try await withDeadline(.milliseconds(300), waitingFor: "counting the waiting changes",
                                       onExpiry: { expired.withLock { $0 = true }; gate.release() }) {
                await gate.wait()  // ignores cancellation, like a query on a server that does not answer
                return 1
            }
            answered = true
        } catch let error as DeadlineExceeded {
            #expect("\(error)" == "no answer within 300 ms while counting the waiting changes")
        }
        // The operation answers only once the expiry released it, so the deadline's error came first.
        #expect(!answered, "an operation that never answered returned")
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        #expect(expired.withLock { $0 })
    }

    @Test func cancellingTheCallerEndsTheWaitAtOnce() async throws {
        let gate = Gate()
        defer { gate.release() }
        let waiter = Task {
            try await withDeadline(.seconds(3_600), waitingFor: "a test") { await gate.wait(); return 1 }
        }
        try await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }

    @Test func aCallerCancelledBeforehandDoesNotWaitForTheDeadline() async throws {
        let gate = Gate()
        defer { gate.release() }
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(.seconds(3_600), waitingFor: "a test") { await gate.wait(); return 1 }
        }
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}

/// A change source whose first count never answers until its watch is closed, like a server
/// that keeps the connection open and says nothing; later counts find nothing waiting.
struct SilentChangeSource: ChangeCaptureConnector {
    let type = "silent"
    final class Counter: Sendable { let value = Mutex(0) }
    let calls = Counter()
    let gate = Gate()

    struct Watcher: ChangeWatcher {
        let source: SilentChangeSource
        func waitingChanges(upTo limit: Int) async throws -> Int {
            let call = source.calls.value.withLock { $0 += 1; return $0 }
            if call == 1 { await source.gate.wait() ; throw CancellationError() }
            return 0
        }
        func close() async { source.gate.release() }
    }

    func validate(connection: ConnectionDefinition, operation: OperationDefinition) -> [Diagnostic] { [] }
    func validate(connection: ConnectionDefinition, capture: ChangeCaptureStart) -> [Diagnostic] { [] }
    func makeOperation(connection: ConnectionDefinition, operation: OperationDefinition,
                       environment: ConnectorEnvironment) async throws -> any ConnectorOperation {
        throw CancellationError()
    }
    func makeChangeReader(connection: ConnectionDefinition, capture: ChangeCaptureStart, mode: ChangeReadMode,
                          environment: ConnectorEnvironment) async throws -> any ChangeReader {
        throw CancellationError()
    }
    func makeChangeWatcher(connection: ConnectionDefinition, capture: ChangeCaptureStart,
                           environment: ConnectorEnvironment) async throws -> any ChangeWatcher {
        Watcher(source: self)
    }
}

@Suite(.timeLimit(.minutes(3))) struct ChangeCaptureDeadlineTests {
    @Test("a slot that does not answer is reported once, and read again with a new watch")
    func aSilentSlotIsReportedAndReadAgain() async throws {
        let source = SilentChangeSource()
        defer { source.gate.release() }
        var workspace = Workspace(root: NSTemporaryDirectory())
        let capture = ChangeCaptureStart(connection: "db", slot: "quiet_slot", publication: "quiet_pub", tables: ["public.t"],
                                         location: TestHost.here)
        workspace.processes["mirror"] = TestHost.process("mirror", shapes: [
            TestHost.shape("start", .start(.changes(capture), next: "end")), TestHost.shape("end", .stop(continue: true)),
        ])
        workspace.connections["db"] = ConnectionDefinition(id: "db", type: "silent",
                                                           settings: SettingsElement(name: "connection", location: TestHost.here),
                                                           location: TestHost.here)
        let store = try TestHost.store()
        let runner = ProcessRunner(workspace: workspace, connectors: ConnectorRegistry([source]),
                                   recorder: TestRecorder(store: store), environment: [:])
        let log = CapturedLog()
        let host = ExecutionHost(runner: runner, logger: log.logger())
        var service = ChangeCaptureService(host: host, logger: log.logger())
        service.readDeadline = .milliseconds(300)
        let running = Task { [service] in await service.run() }
        defer { running.cancel() }
        let clock = ContinuousClock()
        // Generous: on a loaded machine the service's task may wait long for a thread.
        let deadline = clock.now + .seconds(120)
        while clock.now < deadline, !log.text.contains("change capture reads its slot again") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let text = log.text
        source.gate.release()
        running.cancel()
        await running.value
        #expect(text.contains("error change capture cannot read its slot"), "\(text)")
        #expect(text.contains("no answer within 300 ms while reading slot 'quiet_slot'"), "\(text)")
        #expect(text.contains("change capture reads its slot again"), "\(text)")
        #expect(source.calls.value.withLock { $0 } >= 2)
    }
}
