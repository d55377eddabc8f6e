import Logging
import ProcessEngine
import ProcessModel
import Synchronization

/// The host's log of the requests its executions send again after transient failures: a warning
/// for each, with the execution and shape, throttled as `conveyor run`'s retry lines are
/// (``RetryThrottle``) and with secret values redacted.
final class HostRetryLog: ProgressObserver {
    private let logger: Logger
    private let redactor: SecretRedactor
    private let throttle = Mutex(RetryThrottle())
    private let clock = ContinuousClock()

    init(logger: Logger, redactor: SecretRedactor) {
        self.logger = logger
        self.redactor = redactor
    }

    func progressed(_ progress: ExecutionProgress) {}

    func retrying(_ notice: RetryNotice, shapeID: String, executionID: String) {
        let now = clock.now
        guard let held = throttle.withLock({ $0.admit(executionID + "/" + shapeID, now: now) }) else { return }
        logger.warning("\(redactor.redact(RetryThrottle.line(notice, shapeID: shapeID, held: held)))",
                       metadata: ["execution": "\(executionID)"])
    }
}
