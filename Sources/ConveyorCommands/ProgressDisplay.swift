import ConveyorBase
import Foundation
import ProcessEngine
import ProcessModel
import Synchronization

/// What `conveyor run` shows on stderr while a process runs.
///
/// On a terminal, one status line: documents in, documents per second, the shape in progress and
/// the elapsed time; redrawn at most five times a second and erased at the end. On a terminal or
/// not, a line for each request a connector is about to send again after a transient failure
/// (``RetryNotice``): which request, why, which attempt comes next and after how long; at most
/// one a second for each shape, the retries in between counted on the next one. Without them a
/// far end that stopped answering looked like a run that hangs, for as long as the retries last
/// (eight attempts of up to a minute each, by default). Secret values are redacted from them.
final class ProgressDisplay: ProgressObserver {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
        var retries = RetryThrottle()
    }

    /// The drawing state; the lock keeps redraws, retry lines and the final erase from interleaving.
    private let state = Mutex(State())
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private let interval = Duration.milliseconds(200)
    private let drawsLine: Bool
    private let redactor: SecretRedactor

    /// `drawsLine`: show the status line (see ``wanted(json:)``); retry lines are written either way.
    init(drawsLine: Bool, redactor: SecretRedactor) {
        started = clock.now
        self.drawsLine = drawsLine
        self.redactor = redactor
    }

    /// True when the status line should be shown: stderr is a terminal and the output is not JSON.
    static func wanted(json: Bool) -> Bool { !json && isatty(STDERR_FILENO) == 1 }

    func progressed(_ progress: ExecutionProgress) {
        guard drawsLine else { return }
        let now = clock.now
        state.withLock { state in
            if let last = state.lastDraw, now - last < interval { return }
            state.lastDraw = now
            state.drawn = true
            Self.write("\r\u{1B}[K" + Self.line(progress, elapsed: now - started))
        }
    }

    func retrying(_ notice: RetryNotice, shapeID: String, executionID: String) {
        let now = clock.now
        state.withLock { state in
            guard let held = state.retries.admit(executionID + "/" + shapeID, now: now) else { return }
            let text = redactor.redact(RetryThrottle.line(notice, shapeID: shapeID, held: held))
            // The status line, if drawn, is erased first and drawn again at the next progress.
            Self.write((state.drawn ? "\r\u{1B}[K" : "") + text + "\n")
            state.drawn = false
            state.lastDraw = nil
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
