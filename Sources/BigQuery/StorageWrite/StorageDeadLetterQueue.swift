import DocumentMapping
import Foundation
import ProcessEngine
import Synchronization

/// Where the storage-write sink puts rows that failed: a JSON-lines file in the workspace or a
/// BigQuery table (created when missing), one record per row with `original_record`,
/// `failure_reason`, `failure_timestamp`, `connector_type` and `row_errors`.
struct StorageDeadLetterQueue: Sendable {
    /// The `connector_type` of every record.
    static let connectorType = "google-bigquery/storage-write"

    /// One failed row.
    struct Record: Sendable {
        var original: JSONValue
        var reason: String
        var rowErrors: [String]
    }

    let setting: StorageSinkSettings.DeadLetter
    let workspaceRoot: String
    let rest: BigQueryREST
    /// Serialises appends to the file and remembers the tables known to exist.
    private let state = State()

    private final class State: Sendable {
        let fileLock = Mutex<Void>(())
        let tables = Mutex<Set<TableReference>>([])
    }

    init(setting: StorageSinkSettings.DeadLetter, workspaceRoot: String, rest: BigQueryREST) {
        self.setting = setting
        self.workspaceRoot = workspaceRoot
        self.rest = rest
    }

    var isEnabled: Bool { setting != .disabled }

    /// The dead-letter table of rows meant for `table` (nil for a file or a disabled queue).
    func table(for table: TableReference) -> TableReference? {
        switch setting {
        case .disabled, .file: return nil
        case .tableSuffix(let suffix):
            return TableReference(project: table.project, dataset: table.dataset, table: table.table + suffix)
        case .table(let name):
            let parts = name.split(separator: ".").map(String.init)
            return parts.count == 3 ? TableReference(project: parts[0], dataset: parts[1], table: parts[2])
                : TableReference(project: table.project, dataset: parts[0], table: parts[1])
        }
    }

    /// Writes the records of rows meant for `destination`; throws when they could not be kept.
    func write(_ records: [Record], destination: TableReference, at time: Date) async throws {
        guard !records.isEmpty else { return }
        let timestamp = CivilTime.rfc3339(micros: Int64((time.timeIntervalSince1970 * 1_000_000).rounded()))
        switch setting {
        case .disabled:
            throw DocumentError("the dead-letter queue is disabled", code: .setting)
        case .file(let path):
            try append(records.map { Self.fileRecord($0, timestamp: timestamp) }, path: path)
        case .tableSuffix, .table:
            guard let table = table(for: destination) else { return }
            try await insert(records.map { Self.tableRecord($0, timestamp: timestamp) }, into: table)
        }
    }

    /// The record in a file: the original row as JSON, `row_errors` as an array of messages.
    static func fileRecord(_ record: Record, timestamp: String) -> JSONValue {
        .object(JSONObject([("original_record", record.original), ("failure_reason", .string(record.reason)),
                            ("failure_timestamp", .string(timestamp)), ("connector_type", .string(connectorType)),
                            ("row_errors", .array(record.rowErrors.map { .string($0) }))]))
    }

    /// The record in a table: `original_record` and `row_errors` as JSON text (STRING columns).
    static func tableRecord(_ record: Record, timestamp: String) -> JSONValue {
        let errors = JSONValue.array(record.rowErrors.map { .string($0) })
        return .object(JSONObject([("original_record", .string(String(decoding: record.original.serialized(), as: UTF8.self))),
                                   ("failure_reason", .string(record.reason)), ("failure_timestamp", .string(timestamp)),
                                   ("connector_type", .string(connectorType)),
                                   ("row_errors", .string(String(decoding: errors.serialized(), as: UTF8.self)))]))
    }

    /// The schema of a dead-letter table.
    static let tableSchema: JSONValue = ["fields": [
        ["name": "original_record", "type": "STRING", "mode": "NULLABLE"],
        ["name": "failure_reason", "type": "STRING", "mode": "NULLABLE"],
        ["name": "failure_timestamp", "type": "TIMESTAMP", "mode": "NULLABLE"],
        ["name": "connector_type", "type": "STRING", "mode": "NULLABLE"],
        ["name": "row_errors", "type": "STRING", "mode": "NULLABLE"],
    ]]

    /// The file's absolute path: an absolute setting as it is, a relative one checked to stay
    /// inside the workspace.
    func filePath(_ path: String) throws -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        let root = URL(fileURLWithPath: workspaceRoot).standardizedFileURL.path
        let full = URL(fileURLWithPath: root + "/" + path).standardizedFileURL.path
        guard full.hasPrefix(root + "/") else {
            throw DocumentError("dead-letter file '\(path)' is outside the workspace", code: .setting)
        }
        return full
    }

    private func append(_ records: [JSONValue], path: String) throws {
        let full = try filePath(path)
        var data: [UInt8] = []
        for record in records { data += record.serialized() + [UInt8(ascii: "\n")] }
        try state.fileLock.withLock { _ in
            let directory = URL(fileURLWithPath: full).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: full) {
                guard FileManager.default.createFile(atPath: full, contents: nil) else {
                    throw DocumentError("dead-letter file '\(path)' could not be created", code: .unavailable)
                }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: full))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(data))
        }
    }

    private func insert(_ records: [JSONValue], into table: TableReference) async throws {
        let jobs = JobsREST(rest: rest)
        if !state.tables.withLock({ $0.contains(table) }) {
            do {
                try await jobs.insertTable(table, resource: ["tableReference": table.json, "schema": Self.tableSchema])
            } catch let error as BigQueryAPIError where error.status == 409 {
                // The table exists already.
            }
            state.tables.withLock { _ = $0.insert(table) }
        }
        let rows = records.map { JSONValue.object(JSONObject([("json", $0)])) }
        let body = JSONValue.object(JSONObject([("rows", .array(rows))])).serialized()
        let answer = try JSONParser.parse(try await rest.insertAll(project: table.project, dataset: table.dataset,
                                                                   table: table.table, body: body))
        if let errors = answer[key: "insertErrors"]?.arrayValue, !errors.isEmpty {
            throw DocumentError("the dead-letter table \(table) refused \(errors.count) record(s): \(errors[0])", code: .rejected)
        }
    }
}
