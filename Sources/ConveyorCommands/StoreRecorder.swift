import ExecutionStore
import Foundation
import ProcessEngine
import Synchronization

/// Records executions in the SQLite execution store, with secret values redacted from every
/// error and log line. Each top-level execution holds an ``ExecutionLease`` while it runs, so
/// that a later command marks it `ABORTED` if this one dies before finishing it.
struct StoreRecorder: ExecutionRecorder {
    let store: ExecutionStore
    var redactor = SecretRedactor([])
    /// Tracked fields of type `number`: their values are stored in canonical text (``TrackedNumber``).
    var numberFields: Set<String> = []
    private let leases = Leases()

    init(store: ExecutionStore, redactor: SecretRedactor = SecretRedactor([]), numberFields: Set<String> = []) {
        self.store = store
        self.redactor = redactor
        self.numberFields = numberFields
    }

    /// The leases of the executions running now, by execution id (guarded by the mutex).
    private final class Leases: Sendable {
        let held = Mutex<[String: ExecutionLease]>([:])
    }

    func started(_ execution: Execution) async throws {
        if execution.info.parentExecutionID == nil, let lease = try store.lease(executionID: execution.info.id) {
            leases.held.withLock { $0[execution.info.id] = lease }
        }
        try store.insert(redacted(execution))
    }

    func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        try await recorded(runs: documents, in: execution)
    }

    /// Stores the traces; a run of successful documents stays one record (and one row).
    func recorded(runs documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        let now = Date()
        try store.record(documents: documents.map { trace in
            DocumentRecord(executionID: execution.id, shapeID: trace.shapeID, connectionID: trace.connectionID,
                           operationID: trace.operationID, direction: trace.direction.rawValue, index: trace.index,
                           status: Self.status(trace.status), error: trace.error.map { redactor.redact($0) },
                           trackedValues: trace.trackedValues.isEmpty ? []
                               : trace.trackedValues.map { TrackedValue(name: $0.name, value: trackedText($0.name, $0.value)) },
                           recordedAt: now, count: trace.count)
        })
    }

    /// A number field's value in canonical text; other values as they are.
    private func trackedText(_ name: String, _ value: String) -> String {
        guard numberFields.contains(name), let canonical = TrackedNumber.canonical(value) else { return value }
        return canonical
    }

    private static func status(_ status: DocumentTrace.Status) -> DocumentStatus {
        switch status {
        case .success: .success
        case .error: .error
        case .applicationError: .applicationError
        }
    }

    func finished(_ execution: Execution) async throws {
        defer { leases.held.withLock { $0.removeValue(forKey: execution.info.id) }?.release() }
        try store.update(redacted(execution))
    }

    /// The execution's record with secret values redacted.
    func redacted(_ execution: Execution) -> ExecutionRecord {
        var record = Self.record(execution)
        record.error = redactor.redact(record.error)
        record.userLog = record.userLog.map { redactor.redact($0) }
        return record
    }

    static func record(_ execution: Execution) -> ExecutionRecord {
        ExecutionRecord(
            id: execution.info.id, processID: execution.info.processID, processName: execution.info.processName,
            trigger: execution.info.trigger.rawValue,
            status: ExecutionStatus(rawValue: execution.status.rawValue) ?? .error,
            startTime: execution.info.startTime, endTime: execution.endTime,
            documentsIn: execution.documentsIn, documentsOut: execution.documentsOut,
            documentsError: execution.documentsError, error: execution.error,
            shapeCounts: execution.shapeCounts.map {
                ShapeCount(shapeID: $0.shapeID, documentsIn: $0.documentsIn, documentsOut: $0.documentsOut,
                           documentsError: $0.documentsError)
            },
            userLog: execution.userLog, parentExecutionID: execution.info.parentExecutionID,
            retries: execution.retries)
    }
}
