import ExecutionStore
import Foundation
import ProcessEngine

/// The JSON bodies the host answers with.
enum HostJSON {
    struct ExecutionBody: Encodable {
        var id: String
        var processId: String
        var processName: String
        var trigger: String
        var status: String
        var startTime: Date
        var endTime: Date?
        var documentsIn: Int
        var documentsOut: Int
        var documentsError: Int
        /// Documents a connector kept in its dead-letter queue (among `documentsOut`).
        var documentsDeadLettered: Int
        var error: String?
        var shapeCounts: [ShapeCount]
        var userLog: [String]

        init(_ record: ExecutionRecord) {
            id = record.id
            processId = record.processID
            processName = record.processName
            trigger = record.trigger
            status = record.status.rawValue
            startTime = record.startTime
            endTime = record.endTime
            documentsIn = record.documentsIn
            documentsOut = record.documentsOut
            documentsError = record.documentsError
            documentsDeadLettered = record.documentsDeadLettered
            error = record.error
            shapeCounts = record.shapeCounts
            userLog = record.userLog
        }

        init(_ execution: Execution) {
            id = execution.info.id
            processId = execution.info.processID
            processName = execution.info.processName
            trigger = execution.info.trigger.rawValue
            status = execution.status.rawValue
            startTime = execution.info.startTime
            endTime = execution.endTime
            documentsIn = execution.documentsIn
            documentsOut = execution.documentsOut
            documentsError = execution.documentsError
            documentsDeadLettered = execution.documentsDeadLettered
            error = execution.error
            shapeCounts = execution.shapeCounts.map {
                ShapeCount(shapeID: $0.shapeID, documentsIn: $0.documentsIn, documentsOut: $0.documentsOut,
                           documentsError: $0.documentsError)
            }
            userLog = execution.userLog
        }
    }

    struct TrackedBody: Encodable {
        var name: String
        var value: String
        var truncated: Bool
    }

    struct DocumentBody: Encodable {
        var executionId: String
        var shapeId: String
        var connectionId: String?
        var operationId: String?
        var direction: String
        var index: Int
        var status: String
        var error: String?
        /// What kind of failure `error` is (see docs/format.md).
        var errorCode: String?
        var trackedValues: [TrackedBody]
        var recordedAt: Date

        init(_ record: DocumentRecord) {
            executionId = record.executionID
            shapeId = record.shapeID
            connectionId = record.connectionID
            operationId = record.operationID
            direction = record.direction
            index = record.index
            status = record.status.rawValue
            error = record.error
            errorCode = record.errorCode
            trackedValues = record.trackedValues.map { TrackedBody(name: $0.name, value: $0.value, truncated: $0.truncated) }
            recordedAt = record.recordedAt
        }
    }

    struct MatchBody: Encodable {
        var field: String
        var value: String
        var execution: ExecutionBody
        var document: DocumentBody
    }

    struct ErrorBody: Encodable {
        var error: String
    }

    struct AcceptedBody: Encodable {
        var id: String
        var status: String
        var location: String
    }

    /// Compact JSON with sorted keys and ISO-8601 dates with milliseconds.
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return (try? [UInt8](encoder.encode(value))) ?? Array("{\"error\":\"could not encode the answer\"}".utf8)
    }

    /// `2026-11-21T12:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Parses `2026-11-21T12:00:00Z`, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
