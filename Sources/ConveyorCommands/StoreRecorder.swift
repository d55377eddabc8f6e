import ExecutionStore
import Foundation
import ProcessEngine

/// Records executions in the SQLite execution store, with secret values redacted from every
/// error and log line.
struct StoreRecorder: ExecutionRecorder {
    let store: ExecutionStore
    var redactor = SecretRedactor([])

    func started(_ execution: Execution) async throws {
        try store.insert(redacted(execution))
    }

    func recorded(_ documents: [DocumentTrace], in execution: ExecutionInfo) async throws {
        let now = Date()
        try store.record(documents: documents.map { trace in
            DocumentRecord(executionID: execution.id, shapeID: trace.shapeID, connectionID: trace.connectionID,
                           operationID: trace.operationID, direction: trace.direction.rawValue, index: trace.index,
                           status: DocumentStatus(rawValue: trace.status.rawValue) ?? .error,
                           error: redactor.redact(trace.error),
                           trackedValues: trace.trackedValues.map { TrackedValue(name: $0.name, value: $0.value) },
                           recordedAt: now)
        })
    }

    func finished(_ execution: Execution) async throws {
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
            userLog: execution.userLog)
    }
}
