import ConveyorBase
import Foundation

/// Documents' contents kept at connector shapes (`captureDocuments`), in `document_contents`.
extension ExecutionStore {
    /// Stores a batch of captured contents in one transaction, as given (the caller redacts and
    /// cuts them). Fails, storing nothing, when a content names an execution that was not inserted.
    public func record(contents: [DocumentContentRecord]) throws {
        guard let first = contents.first else { return }
        let rows = contents.map { record in
            [StoreValue.text(record.executionID), .text(record.shapeID), .optional(record.connectionID),
             .optional(record.operationID), .text(record.direction), .int(record.index),
             .text(record.status.rawValue), .blob(record.content), .int(record.size), .int(record.cut ? 1 : 0),
             .text(Self.propertiesJSON(record.properties)), .optional(record.error), .optional(record.errorCode),
             .text(StoreTimestamp.text(from: record.recordedAt)), .int(record.redacted ? 1 : 0)]
        }
        try withConnection { connection in
            let context = "record \(rows.count) document contents for execution \(first.executionID)"
            try connection.transaction(.write, operation: context) {
                // Many rows per statement (one round trip on PostgreSQL), few enough that a statement
                // of contents at their size limit stays a few megabytes.
                try connection.insertRows(
                    into: "document_contents",
                    columns: ["execution_id", "shape_id", "connection_id", "operation_id", "direction", "doc_index", "status",
                              "content", "size", "cut", "properties", "error", "error_code", "recorded_at", "redacted"],
                    rows, rowsPerStatement: 50, operation: context)
            }
        }
    }

    /// The contents captured for an execution, by document index, inputs before outputs, then in
    /// recording order; only those of document `index` when given. Without `withContent` the bytes are left out
    /// (``DocumentContentRecord/content`` is empty, ``DocumentContentRecord/storedSize`` says how
    /// many are kept).
    public func documentContents(executionID: String, index: Int? = nil,
                                 withContent: Bool = true) throws -> [DocumentContentRecord] {
        try withConnection { connection in
            let context = "read document contents of execution \(executionID)"
            var records: [DocumentContentRecord] = []
            let content = withContent ? "content" : "NULL"
            try connection.query(
                """
                SELECT shape_id, connection_id, operation_id, direction, doc_index, status, \(content), size, cut,
                    properties, error, error_code, recorded_at, LENGTH(content), redacted
                FROM document_contents
                WHERE execution_id = ?1 AND (?2 = 0 OR doc_index = ?3) ORDER BY doc_index, direction, id
                """,
                [.text(executionID), .int(index == nil ? 0 : 1), .int(index ?? 0)], operation: context) { row in
                records.append(DocumentContentRecord(
                    executionID: executionID, shapeID: row.text(0) ?? "", connectionID: row.text(1),
                    operationID: row.text(2), direction: row.text(3) ?? "", index: row.int(4),
                    status: DocumentStatus(rawValue: row.text(5) ?? "") ?? .error, content: row.blob(6),
                    size: row.int(7), cut: row.int64(8) != 0, redacted: row.int64(14) != 0, properties: Self.properties(fromJSON: row.text(9)),
                    error: row.text(10), errorCode: row.text(11),
                    recordedAt: StoreTimestamp.date(from: row.text(12) ?? "") ?? Date(timeIntervalSince1970: 0),
                    storedSize: row.int(13)))
            }
            return records
        }
    }

    /// Properties as stored: a compact JSON object, its keys in ascending order of their code
    /// points. Written here rather than by `JSONSerialization`, whose sorted keys compare by locale
    /// and cost about 450,000 instructions a document (every failed document's content is
    /// recorded with its properties).
    static func propertiesJSON(_ properties: [String: String]) -> String {
        guard !properties.isEmpty else { return "{}" }
        var output: [UInt8] = [UInt8(ascii: "{")]
        output.reserveCapacity(64 * properties.count)
        for (position, entry) in properties.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            JSONBytes.appendQuoted(entry.key, to: &output)
            output.append(UInt8(ascii: ":"))
            JSONBytes.appendQuoted(entry.value, to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    static func properties(fromJSON text: String?) -> [String: String] {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
              let dictionary = object as? [String: Any] else { return [:] }
        return dictionary.compactMapValues { $0 as? String }
    }
}
