import DocumentMapping
import ProcessEngine

/// Applies `<ifExists>` once per destination table and execution, before its first write:
/// `replace` empties the table with `DELETE … WHERE true` (schema, partitioning and policies
/// kept), `fail` counts its rows with a query and fails when there is any. Later batches wait
/// for (and share) the outcome of that first check.
actor StorageTablePreparation {
    let ifExists: StorageSinkSettings.IfExists
    let runner: JobRunner
    let location: String?
    private var checks: [TableReference: Task<Void, any Error>] = [:]

    init(ifExists: StorageSinkSettings.IfExists, runner: JobRunner, location: String?) {
        self.ifExists = ifExists
        self.runner = runner
        self.location = location
    }

    /// Runs (or waits for) the check of `table`; throws when its rows must not be written.
    func prepare(_ table: TableReference, executionID: String) async throws {
        guard ifExists != .append else { return }
        let check: Task<Void, any Error>
        if let existing = checks[table] { check = existing } else {
            let mode = ifExists
            let runner = runner
            let location = location
            check = Task {
                switch mode {
                case .append: return
                case .replace: try await Self.truncate(table, runner: runner, location: location, executionID: executionID)
                case .fail: try await Self.requireEmpty(table, runner: runner, location: location, executionID: executionID)
                }
            }
            checks[table] = check
        }
        try await check.value
    }

    static func job(_ sql: String, project: String, jobID: String, location: String?) -> JSONValue {
        var reference = JSONObject([("projectId", .string(project)), ("jobId", .string(jobID))])
        if let location { reference["location"] = .string(location) }
        return ["jobReference": .object(reference), "configuration": ["query": ["query": .string(sql), "useLegacySql": false]]]
    }

    static func truncate(_ table: TableReference, runner: JobRunner, location: String?, executionID: String) async throws {
        let sql = "DELETE FROM \(try MergeStatement.quoted(table)) WHERE true"
        let jobID = JobRunner.newJobID(execution: executionID, document: 0)
        do {
            _ = try await runner.run(job: job(sql, project: table.project, jobID: jobID, location: location),
                                     project: table.project, jobID: jobID, location: location, timeout: .seconds(600),
                                     purpose: "ifExists replace: emptying \(table)")
        } catch {
            throw DocumentError("ifExists is replace, but table \(table) could not be emptied: \(error)", code: .unavailable)
        }
    }

    static func requireEmpty(_ table: TableReference, runner: JobRunner, location: String?, executionID: String) async throws {
        let sql = "SELECT COUNT(*) FROM \(try MergeStatement.quoted(table))"
        let jobID = JobRunner.newJobID(execution: executionID, document: 0)
        let rows: Int
        do {
            _ = try await runner.run(job: job(sql, project: table.project, jobID: jobID, location: location),
                                     project: table.project, jobID: jobID, location: location, timeout: .seconds(600),
                                     purpose: "ifExists fail: counting the rows of \(table)")
            let results = try await runner.rest.getQueryResults(project: table.project, jobID: jobID, location: location,
                                                                timeoutMs: 10_000)
            guard let text = results[key: "rows"]?[index: 0]?[key: "f"]?[index: 0]?[key: "v"]?.textValue,
                  let count = Int(text) else {
                throw DocumentError("the count query returned no number", code: .unavailable)
            }
            rows = count
        } catch {
            throw DocumentError("ifExists is fail, but the rows of table \(table) could not be counted: \(error)", code: .unavailable)
        }
        if rows > 0 {
            throw DocumentError("table \(table) already holds \(rows) row(s) and ifExists is fail: nothing was written to it", code: .rejected)
        }
    }
}
