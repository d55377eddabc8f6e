import DocumentMapping
import Foundation
import ProcessEngine

/// `<schemaUpdate>add-columns</schemaUpdate>`: before a batch is written, the columns its rows
/// carry that the table lacks are added to the table as NULLABLE columns (`ALTER TABLE … ADD
/// COLUMN IF NOT EXISTS`, and `tables.patch` where the schema read back lacks them), typed by
/// ``StorageColumnInference``.
///
/// The column names of each table are kept once read, so a batch whose members the table has
/// costs no request. A member not known is checked against the table as it is now: a column
/// another writer added in the meantime is used as it is, and an add that fails because of such
/// an add is taken as done once a re-read shows the columns.
actor StorageSchemaEvolution {
    /// What a batch's check came to.
    struct Outcome: Sendable {
        /// The user log's lines, one per column added.
        var lines: [String] = []
        /// The table has columns the writer's schema may lack: it reads the schema again.
        var changed = false
    }

    let rest: BigQueryREST
    let runner: JobRunner
    let location: String?
    let cdc: Bool
    private var known: [TableReference: Set<String>] = [:]

    init(rest: BigQueryREST, runner: JobRunner, location: String?, cdc: Bool) {
        self.rest = rest
        self.runner = runner
        self.location = location
        self.cdc = cdc
    }

    /// Adds the columns `rows` carry and `table` lacks. Throws (naming the table and the columns)
    /// when the table cannot be read or given them.
    func evolve(_ table: TableReference, rows: [StorageRow], executionID: String) async throws -> Outcome {
        let jobs = JobsREST(rest: rest)
        let names: Set<String>
        if let cached = known[table] { names = cached } else {
            names = try Self.columnNames(try await jobs.getTable(table))
            known[table] = names
        }
        var inference = StorageColumnInference(known: names, cdc: cdc)
        for row in rows {
            // A row that is not JSON fails when it is written, naming its document.
            if let value = try? row.json() { inference.add(value) }
        }
        let wanted = inference.columns
        guard !wanted.isEmpty else { return Outcome() }
        var present = try Self.columnNames(try await jobs.getTable(table))
        let missing = wanted.filter { !present.contains($0.name.lowercased()) }
        var outcome = Outcome(changed: true)
        if !missing.isEmpty {
            do {
                present = try await add(missing, to: table, executionID: executionID)
                outcome.lines = missing.map { "column \($0.name) (\($0.type)) added to table \(table) (schemaUpdate add-columns)" }
            } catch {
                // Another writer may have added them meanwhile: then they are there now.
                present = try Self.columnNames(try await jobs.getTable(table))
                let absent = missing.filter { !present.contains($0.name.lowercased()) }
                if !absent.isEmpty {
                    let list = absent.map { "\($0.name) (\($0.type))" }.joined(separator: ", ")
                    throw DocumentError("schemaUpdate is add-columns, but column(s) \(list) could not be added to table \(table): \(error)",
                                        code: .unavailable)
                }
            }
        }
        known[table] = present
        return outcome
    }

    /// `ALTER TABLE … ADD COLUMN IF NOT EXISTS` for each column (a column another writer added
    /// meanwhile is kept as it is); when the table's schema read afterwards still lacks one, a
    /// `tables.patch` with the schema plus the NULLABLE columns adds it there. Returns the column
    /// names the table has then.
    private func add(_ columns: [StorageColumnInference.Column], to table: TableReference,
                     executionID: String) async throws -> Set<String> {
        let jobs = JobsREST(rest: rest)
        let target = try MergeStatement.quoted(table)
        for column in columns {
            let sql = "ALTER TABLE \(target) ADD COLUMN IF NOT EXISTS `\(column.name)` \(Self.sqlType(column.type))"
            let jobID = JobRunner.newJobID(execution: executionID, document: 0)
            _ = try await runner.run(job: StorageTablePreparation.job(sql, project: table.project, jobID: jobID, location: location),
                                     project: table.project, jobID: jobID, location: location,
                                     timeout: RunJobSettings.defaultTimeout,
                                     purpose: "schemaUpdate add-columns: adding column \(column.name) to \(table)")
        }
        var resource = try await jobs.getTable(table)
        var present = try Self.columnNames(resource)
        let unlisted = columns.filter { !present.contains($0.name.lowercased()) }
        guard !unlisted.isEmpty else { return present }
        let fields = resource[key: "schema"]?[key: "fields"]?.arrayValue ?? []
        let added = unlisted.map { column -> JSONValue in
            .object(JSONObject([("name", .string(column.name)), ("type", .string(column.type)), ("mode", "NULLABLE")]))
        }
        let body: JSONValue = ["schema": ["fields": .array(fields + added)]]
        let answer = try await rest.updateTable(project: table.project, dataset: table.dataset, table: table.table,
                                                full: false, body: body.serialized())
        // The answer is the table as patched; re-read when it is not JSON.
        if let patched = try? JSONParser.parse(answer) { resource = patched } else { resource = try await jobs.getTable(table) }
        present = try Self.columnNames(resource)
        return present
    }

    /// The GoogleSQL name of a column type (`INTEGER` → `INT64`, …).
    static func sqlType(_ type: String) -> String {
        switch type {
        case "INTEGER": "INT64"
        case "FLOAT": "FLOAT64"
        case "BOOLEAN": "BOOL"
        default: type
        }
    }

    /// The lowercased top-level column names of a `tables.get` resource.
    static func columnNames(_ resource: JSONValue) throws -> Set<String> {
        guard let fields = resource[key: "schema"]?[key: "fields"]?.arrayValue else { return [] }
        return Set(fields.compactMap { $0[key: "name"]?.stringValue?.lowercased() })
    }
}
