import ConveyorBase
import Foundation
import ProcessEngine
import Synchronization

/// One status line on stderr while a process runs: documents in, documents per second, the
/// shape in progress and the elapsed time; redrawn at most five times a second and erased at
/// the end. Used only when stderr is a terminal.
final class ProgressDisplay: ProgressObserver {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }

    /// The drawing state; the lock keeps redraws and the final erase from interleaving.
    private let state = Mutex(State())
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let interval = Duration.milliseconds(200)

    init() { started = clock.now }

    /// True when progress should be shown: stderr is a terminal and the output is not JSON.
    static func wanted(json: Bool) -> Bool { !json && isatty(STDERR_FILENO) == 1 }

    func progressed(_ progress: ExecutionProgress) {
        let now = clock.now
        state.withLock { state in
            if let last = state.lastDraw, now - last < interval { return }
            state.lastDraw = now
            state.drawn = true
            Self.write("\r\u{1B}[K" + Self.line(progress, elapsed: now - started))
        }
    }

    /// Erases the line, if one was drawn.
    func finish() {
        state.withLock { state in
            guard state.drawn else { return }
            state.drawn = false
            Self.write("\r\u{1B}[K")
        }
    }

    /// The status text, e.g. `12,000 documents in · 48,000 docs/s · shape map · 0:00.3`.
    static func line(_ progress: ExecutionProgress, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int(Double(progress.documentsIn) / seconds) : 0
        let minutes = Int(seconds) / 60
        let rest = seconds - Double(minutes * 60)
        let clockText = "\(minutes):" + (rest < 10 ? "0" : "") + FixedDecimal.string(rest, places: 1)
        var text = "\(grouped(progress.documentsIn)) documents in · \(grouped(rate)) docs/s · shape \(progress.shapeID)"
        if progress.documentsError > 0 { text += " · \(grouped(progress.documentsError)) errors" }
        return text + " · " + clockText
    }

    private static func grouped(_ number: Int) -> String {
        let digits = String(number)
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
