import Foundation
import Logging
import ProcessEngine
import ProcessModel

/// Runs the processes whose start shape is `<cdc>` continuously: each watches its slot and runs
/// one execution (trigger `changes`) per micro-batch, once `maxBatch` changes wait or the first
/// waiting change is `maxLatency` old. An execution that ends in ERROR leaves its changes in the
/// slot; the next attempt waits longer each time (up to a minute).
public struct ChangeCaptureService: Sendable {
    let host: ExecutionHost
    let logger: Logger
    /// The processes with a `<cdc>` start shape, by id.
    let captures: [(processID: String, capture: ChangeCaptureStart)]
    /// How long opening a watch on a slot and counting its waiting changes may take.
    var readDeadline = Self.readDeadline

    public init(host: ExecutionHost, logger: Logger) {
        self.host = host
        self.logger = logger
        var found: [(String, ChangeCaptureStart)] = []
        for process in host.workspace.processes.values.sorted(by: { $0.id < $1.id }) {
            if let start = process.startShape, case .start(.changes(let capture), _) = start.kind {
                found.append((process.id, capture))
            }
        }
        captures = found
    }

    public var isEmpty: Bool { captures.isEmpty }

    /// Runs every capture until cancelled or the host stops accepting work.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (processID, capture) in captures {
                group.addTask { await self.run(processID: processID, capture: capture) }
            }
        }
    }

    private func run(processID: String, capture: ChangeCaptureStart) async {
        let runner = host.runner
        guard let connection = runner.workspace.connections[capture.connection],
              let connector = runner.connectors.connector(for: connection.type) as? any ChangeCaptureConnector else {
            logger.error("change capture not started: its connection cannot capture changes",
                         metadata: ["process": "\(processID)", "connection": "\(capture.connection)"])
            return
        }
        let environment = ConnectorEnvironment(workspaceRoot: runner.workspace.root, variables: runner.environment)
        let poll = min(max(capture.maxLatency / 4, .milliseconds(20)), .milliseconds(500))
        var watcher: (any ChangeWatcher)?
        var firstWaiting: ContinuousClock.Instant?
        var failures = 0
        var backoff = Duration.zero
        logger.info("change capture started", metadata: ["process": "\(processID)", "slot": "\(capture.slot)"])
        defer { logger.info("change capture stopped", metadata: ["process": "\(processID)"]) }
        while !Task.isCancelled, host.isAccepting {
            if backoff > .zero {
                try? await Task.sleep(for: backoff)
                if Task.isCancelled || !host.isAccepting { break }
            }
            do {
                let current: any ChangeWatcher
                if let watcher { current = watcher } else {
                    current = try await connector.makeChangeWatcher(connection: connection, capture: capture,
                                                                    environment: environment)
                    watcher = current
                }
                // Bounded: a server that holds a connection without answering (or a lock the
                // peek waits on) makes this fail, log and retry, not wait for ever.
                let limit = capture.maxBatch
                let waiting = try await withDeadline(readDeadline, waitingFor: "reading slot '\(capture.slot)'",
                                                     onExpiry: { await current.close() }) {
                    try await current.waitingChanges(upTo: limit)
                }
                if failures > 0 {
                    logger.notice("change capture reads its slot again", metadata: ["process": "\(processID)"])
                    failures = 0
                }
                backoff = .zero
                guard waiting > 0 else {
                    firstWaiting = nil
                    try? await Task.sleep(for: poll)
                    continue
                }
                let now = ContinuousClock.now
                let since = firstWaiting ?? now
                firstWaiting = since
                if waiting < capture.maxBatch, now - since < capture.maxLatency {
                    try? await Task.sleep(for: min(poll, capture.maxLatency - (now - since)))
                    continue
                }
            } catch {
                // The host stopping cancels a read in flight: that is the end of the loop, not a failure.
                if error is CancellationError || Task.isCancelled || !host.isAccepting { break }
                failures += 1
                // The first failure is an error; while it lasts the rest are logged at debug level.
                logger.log(level: failures == 1 ? .error : .debug, "change capture cannot read its slot",
                           metadata: ["process": "\(processID)", "error": "\(error)"])
                await watcher?.close()
                watcher = nil
                backoff = Self.backoff(after: failures)
                continue
            }
            firstWaiting = nil
            // Its own task: the host's shutdown drains a running batch instead of cancelling it.
            let host = host
            let outcome = await Task { await host.run(processID: processID, trigger: .changes) }.value
            switch outcome {
            case .finished(let execution, _) where execution.status == .error:
                failures += 1
                backoff = Self.backoff(after: failures)
                logger.warning("change capture batch failed: its changes stay in the slot and are read again",
                               metadata: ["process": "\(processID)", "execution": "\(execution.info.id)",
                                          "retryIn": "\(backoff)"])
            case .finished:
                failures = 0
            case .busy, .runningElsewhere:
                // Another command or host runs this process now; its batch moves the slot.
                backoff = .seconds(1)
            case .stopping:
                break
            }
        }
        await watcher?.close()
    }

    /// How long opening a watch on a slot (creating it waits up to a minute for open transactions)
    /// and counting its waiting changes may take.
    static let readDeadline = Duration.seconds(90)

    /// 1 s, 2 s, 4 s, … up to a minute.
    static func backoff(after failures: Int) -> Duration {
        .seconds(min(60, 1 << min(max(failures - 1, 0), 6)))
    }
}
