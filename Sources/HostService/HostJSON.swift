import ExecutionStore
import Foundation
import ProcessEngine

/// The JSON bodies the host answers with. Executions are answered as ``ExecutionRecord``, the one
/// execution JSON shape the command line writes too.
enum HostJSON {
    struct MatchBody: Encodable {
        var field: String
        var value: String
        var execution: ExecutionRecord
        var document: DocumentRecord
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
