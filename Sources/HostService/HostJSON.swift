import ExecutionStore
import Foundation
import ProcessEngine

/// The JSON bodies the host answers with. Executions are answered as ``ExecutionRecord``, the one
/// execution JSON shape the command line writes too.
enum HostJSON {
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
        var execution: ExecutionRecord
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
        let encoder = ExecutionJSON.encoder()
        return (try? [UInt8](encoder.encode(value))) ?? Array("{\"error\":\"could not encode the answer\"}".utf8)
    }

    /// `2026-11-21T12:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        ExecutionJSON.timestamp(date)
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
