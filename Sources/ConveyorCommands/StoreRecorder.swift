import ExecutionStore
import Foundation
import ProcessEngine
import ProcessModel
import Synchronization

/// Records executions in the SQLite execution store, with secret values redacted from every
/// error, log line and tracked field value. Each top-level execution holds an ``ExecutionLease`` while it runs, so
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
        let topLevel = execution.info.parentExecutionID == nil
        if topLevel, let lease = try store.lease(executionID: execution.info.id) {
            leases.held.withLock { $0[execution.info.id] = lease }
        }
        do {
            try store.insert(redacted(execution), owner: topLevel ? ExecutionOwner.current : nil)
        } catch {
            leases.held.withLock { $0.removeValue(forKey: execution.info.id) }?.release()
            throw error
        }
    }

    /// Stores the counts so far, so that an execution whose command dies keeps them when marked ABORTED.
    func progressed(_ execution: Execution) async throws {
        try store.updateProgress(redacted(execution))
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
                           status: trace.status, error: trace.error.map { redactor.redact($0) },
                           errorCode: trace.errorCode?.rawValue,
                           trackedValues: trace.trackedValues.isEmpty ? []
                               : trace.trackedValues.map { TrackedValue(name: $0.name, value: trackedText($0.name, $0.value)) },
                           recordedAt: now, count: trace.count)
        })
    }

    /// Stores documents' contents: secret values redacted from the content, the properties and
    /// the error, then the content cut at its limit (so a cut never leaves part of a secret).
    func captured(_ documents: [CapturedDocument], in execution: ExecutionInfo) async throws {
        let now = Date()
        try store.record(contents: documents.map { captured in
            let redactedContent = redactor.redact(bytes: captured.content)
            let properties = redactor.isEmpty ? captured.properties : captured.properties.mapValues { redactor.redact($0) }
            let kept = DocumentContentRecord.cutting(redactedContent, at: captured.limit)
            return DocumentContentRecord(
                executionID: execution.id, shapeID: captured.shapeID, connectionID: captured.connectionID,
                operationID: captured.operationID, direction: captured.direction.rawValue, index: captured.index,
                status: captured.status, content: kept.content, size: captured.content.count, cut: kept.cut,
                redacted: redactedContent != captured.content || properties != captured.properties,
                properties: properties,
                error: captured.error.map { redactor.redact($0) }, errorCode: captured.errorCode?.rawValue,
                recordedAt: now)
        })
    }

    /// A tracked value as stored: secret values redacted, `number` fields in their canonical text.
    private func trackedText(_ name: String, _ value: String) -> String {
        let value = redactor.redact(value)
        guard numberFields.contains(name), let canonical = TrackedNumber.canonical(value) else { return value }
        return canonical
    }

    /// Stores the end of the execution and releases its lease. When the store cannot take it and
    /// the execution is in ERROR (the engine's second call), the lease is left with the reason, so
    /// the next command that opens the store marks the execution ERROR instead of leaving it INPROCESS.
    func finished(_ execution: Execution) async throws {
        do {
            try store.update(redacted(execution))
        } catch {
            if execution.status == .error, let lease = leases.held.withLock({ $0.removeValue(forKey: execution.info.id) }) {
                lease.abandon(note: redactor.redact("could not record the end of the execution: \(error)"))
            }
            throw error
        }
        leases.held.withLock { $0.removeValue(forKey: execution.info.id) }?.release()
    }

    /// The execution's record with secret values redacted.
    func redacted(_ execution: Execution) -> ExecutionRecord {
        var record = execution.record
        record.error = redactor.redact(record.error)
        record.userLog = record.userLog.map { redactor.redact($0) }
        return record
    }
}
