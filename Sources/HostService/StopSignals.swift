import Dispatch
import Foundation
import Synchronization

/// Waits for SIGTERM or SIGINT (the default actions are replaced while the host runs).
final class StopSignals: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Int32?, Never>?
        var received: Int32?
        var cancelled = false
    }
    /// Keeps the signal sources alive as long as this object; never read.
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let state = Mutex(State())

    init(signals: [Int32] = [SIGTERM, SIGINT]) {
        let inbox = Inbox()
        var created: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { inbox.deliver(number) }
            source.resume()
            created.append(source)
        }
        self.sources = Mutex(created)
        inbox.owner.withLock { $0 = self }
    }

    /// Hands signals from the dispatch queue to the waiting task.
    private final class Inbox: Sendable {
        let owner = Mutex<StopSignals?>(nil)

        func deliver(_ number: Int32) {
            owner.withLock { $0 }?.deliver(number)
        }
    }

    /// The first signal received, or nil when the waiting task is cancelled.
    func next() async -> Int32? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Int32?? = state.withLock { state in
                    if state.cancelled { return .some(nil) }
                    if let received = state.received { return .some(received) }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiting = state.withLock { state in
                state.cancelled = true
                defer { state.continuation = nil }
                return state.continuation
            }
            waiting?.resume(returning: nil)
        }
    }

    private func deliver(_ number: Int32) {
        let waiting = state.withLock { state in
            if state.received == nil { state.received = number }
            defer { state.continuation = nil }
            return state.continuation
        }
        waiting?.resume(returning: number)
    }
}
