import ConveyorBase
import Foundation

/// Column lists and conversions between records and table rows.
extension ExecutionStore {
    static let executionColumns = """
        e.id, e.process_id, e.process_name, e.trigger, e.status, e.start_time, e.end_time,
        e.documents_in, e.documents_out, e.documents_error, e.error, e.shape_counts, e.user_log,
        e.parent_execution_id, e.retries, e.documents_dead_lettered, e.host
        """

    static let documentColumns = """
        d.id, d.execution_id, d.shape_id, d.connection_id, d.operation_id, d.direction,
        d.doc_index, d.status, d.error, d.recorded_at, d.doc_count, d.error_code
        """

    /// Reads an execution from a row selected with ``executionColumns``.
    static func execution(from row: StoreRow, path: String) throws -> ExecutionRecord {
        let id = row.text(0) ?? ""
        let context = "read execution \(id)"
        let statusText = row.text(4) ?? ""
        guard let status = ExecutionStatus(rawValue: statusText) else {
            throw StoreError(operation: context, message: "column status holds '\(statusText)', not an execution status",
                             path: path)
        }
        return ExecutionRecord(
            id: id,
            processID: row.text(1) ?? "",
            processName: row.text(2) ?? "",
            trigger: row.text(3) ?? "",
            status: status,
            startTime: try date(row.text(5) ?? "", column: "start_time", context: context, path: path),
            endTime: try row.text(6).map { try date($0, column: "end_time", context: context, path: path) },
            documentsIn: row.int(7),
            documentsOut: row.int(8),
            documentsError: row.int(9),
            error: row.text(10),
            shapeCounts: try decodeJSON([ShapeCount].self, row.text(11), column: "shape_counts",
                                        context: context, path: path),
            userLog: try decodeJSON([String].self, row.text(12), column: "user_log", context: context, path: path),
            parentExecutionID: row.text(13),
            retries: row.int(14),
            documentsDeadLettered: row.int(15),
            host: row.text(16)
        )
    }

    /// Reads a document (without its tracked values) and its row id from a row selected with ``documentColumns``;
    /// the record's `count` is the number of documents the row stands for.
    static func document(from row: StoreRow, path: String) throws -> (rowID: Int64, record: DocumentRecord) {
        let rowID = row.int64(0)
        let context = "read document \(rowID)"
        let statusText = row.text(7) ?? ""
        guard let status = DocumentStatus(rawValue: statusText) else {
            throw StoreError(operation: context, message: "column status holds '\(statusText)', not a document status",
                             path: path)
        }
        let record = DocumentRecord(
            executionID: row.text(1) ?? "",
            shapeID: row.text(2) ?? "",
            connectionID: row.text(3),
            operationID: row.text(4),
            direction: row.text(5) ?? "",
            index: row.int(6),
            status: status,
            error: row.text(8),
            errorCode: row.text(11),
            recordedAt: try date(row.text(9) ?? "", column: "recorded_at", context: context, path: path),
            count: max(1, row.int(10))
        )
        return (rowID, record)
    }

    /// Reads a tracked value from the columns `name, value, truncated` starting at `first`.
    static func trackedValue(from row: StoreRow, first: Int32) -> TrackedValue {
        TrackedValue(name: row.text(first) ?? "", storedValue: row.text(first + 1) ?? "",
                     truncated: row.int(first + 2) != 0)
    }

    /// The `shape_counts` column's JSON: what `JSONEncoder` writes with sorted keys, slashes
    /// unescaped and the shape's id spelled `shapeID` (the column's spelling since it was made),
    /// written directly: the encoder's first use cost about 2.5 M instructions of every run.
    static func shapeCountsJSON(_ counts: [ShapeCount]) -> String {
        var output: [UInt8] = [UInt8(ascii: "[")]
        output.reserveCapacity(2 + counts.count * 96)
        for (position, count) in counts.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: #"{"documentsError":"#.utf8)
            output.append(contentsOf: String(count.documentsError).utf8)
            output.append(contentsOf: #","documentsIn":"#.utf8)
            output.append(contentsOf: String(count.documentsIn).utf8)
            output.append(contentsOf: #","documentsOut":"#.utf8)
            output.append(contentsOf: String(count.documentsOut).utf8)
            output.append(contentsOf: #","shapeID":"#.utf8)
            JSONBytes.appendQuoted(count.shapeID, to: &output)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
        return String(decoding: output, as: UTF8.self)
    }

    /// The `user_log` column's JSON, an array of strings, as `JSONEncoder` writes it (slashes unescaped).
    static func userLogJSON(_ lines: [String]) -> String {
        var output: [UInt8] = [UInt8(ascii: "[")]
        for (position, line) in lines.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            JSONBytes.appendQuoted(line, to: &output)
        }
        output.append(UInt8(ascii: "]"))
        return String(decoding: output, as: UTF8.self)
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?, column: String,
                                                 context: String, path: String) throws -> T {
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .custom { ColumnKey(spelling: $0.last, from: "shapeID", to: "shapeId") }
            return try decoder.decode(type, from: Data((text ?? "[]").utf8))
        } catch {
            throw StoreError(operation: context, message: "column \(column) does not hold valid JSON: \(error)",
                             path: path)
        }
    }

    private static func date(_ text: String, column: String, context: String, path: String) throws -> Date {
        guard let date = StoreTimestamp.date(from: text) else {
            throw StoreError(operation: context,
                             message: "column \(column) holds '\(text)', not a UTC timestamp like 2024-05-01T12:00:00.000Z",
                             path: path)
        }
        return date
    }
}

/// A JSON key in a column. The `shape_counts` column spells the shape's id `shapeID`, as it always
/// has, where the execution JSON shape spells it `shapeId`; the column's decoder maps it (its writer,
/// ``ExecutionStore/shapeCountsJSON(_:)``, spells it so; the tests compare it with an encoder mapping it).
struct ColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    /// The key `key`, spelled `to` when it is `from`.
    init(spelling key: (any CodingKey)?, from: String, to: String) {
        let name = key?.stringValue ?? ""
        stringValue = name == from ? to : name
    }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
