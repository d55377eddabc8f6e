import DocumentMapping
import Foundation
import ProcessEngine

extension UpsertDataOperation {
    /// Staging tables expire on their own after this long, should a drop ever fail.
    static let stagingLifetime: Int64 = 24 * 3600 * 1000

    /// Upserts one table's rows: schema, staging table, load, key count, MERGE, and the staging
    /// drop whatever happened. Returns the summary.
    func upsert(_ group: Group, context: OperationContext) async throws -> JSONValue {
        let target = group.target
        let rest = runner.rest
        var step = "reading the target table"
        var fields: [JSONValue]
        let statement: MergeStatement
        let staging = TableReference(project: target.project, dataset: target.dataset,
                                     table: "\(target.table)_conveyor_staging_\(Self.hex(random()))")
        do {
            let table = try await rest.getTable(target)
            fields = table[key: "schema"]?[key: "fields"]?.arrayValue ?? []
            guard !fields.isEmpty else { throw DocumentError("table \(target) has no schema", code: .schema) }
            var columns = fields.compactMap { $0[key: "name"]?.stringValue }
            if let assigned = group.columns {
                // Columns no row carries are left out, so matched rows keep their values.
                let wanted = Set((assigned + settings.keys).map { $0.lowercased() })
                columns = columns.filter { wanted.contains($0.lowercased()) }
            }
            step = "checking names"
            var merge = try MergeStatement(target: target, staging: staging, keys: settings.keys, columns: columns)
            merge.updateMatched = settings.updateMatched
            if let flags = group.flags {
                merge.deleteFlag = flags.delete
                merge.absentList = flags.absent
                fields = Self.stagingFields(fields, flags: flags)
            }
            statement = merge
        } catch {
            throw UpsertError(step: step, target: target, cause: error)
        }
        var summary: JSONValue = [:]
        var failure: (any Error)?
        do {
            summary = try await mergeThroughStaging(group, fields: fields, statement: statement,
                                                    context: context, step: &step)
        } catch {
            failure = error
        }
        var dropError: (any Error)?
        do { try await rest.deleteTable(staging) } catch { dropError = error }
        if failure != nil || dropError != nil {
            throw UpsertError(step: step, target: target, cause: failure, staging: staging, dropError: dropError)
        }
        return summary
    }

    private func mergeThroughStaging(_ group: Group, fields: [JSONValue], statement: MergeStatement,
                                     context: OperationContext, step: inout String) async throws -> JSONValue {
        let rest = runner.rest
        let staging = statement.staging
        let project = group.target.project
        step = "creating the staging table"
        let expires = Int64(context.now().timeIntervalSince1970 * 1000) + Self.stagingLifetime
        try await rest.insertTable(staging, resource: ["tableReference": staging.json,
                                                       "schema": ["fields": .array(fields)],
                                                       "expirationTime": .string(String(expires))])

        step = "loading the staging table"
        let loadID = JobRunner.newJobID(execution: context.execution.id, document: group.positions[0], random: random())
        let load = JSONObject([("sourceFormat", .string(settings.sourceFormat.rawValue)),
                               ("destinationTable", staging.json),
                               ("writeDisposition", .string(settings.writeDisposition)),
                               ("createDisposition", .string(settings.createDisposition))])
        let loadJob = jobResource(project: project, jobID: loadID, configuration: ["load": .object(load)])
        _ = try await runner.run(project: project, jobID: loadID, location: settings.location, timeout: settings.timeout,
                                 purpose: "load into staging table \(staging)") {
            try await rest.uploadJob(project: project, job: loadJob, data: group.data)
        }

        step = "counting keys already in the target"
        let matched = try await count(try statement.matchCountSQL(), project: project)

        step = "merging into the target"
        let mergeID = JobRunner.newJobID(execution: context.execution.id, document: group.positions[0], random: random())
        let merge = jobResource(project: project, jobID: mergeID, configuration: [
            "query": ["query": .string(try statement.sql()), "useLegacySql": false],
        ])
        let job = try await runner.run(job: merge, project: project, jobID: mergeID, location: settings.location,
                                       timeout: settings.timeout, purpose: "MERGE into \(group.target)")
        return Self.summary(job: job, jobID: mergeID, matched: matched, staged: group.rows)
    }

    /// The target's fields with REQUIRED relaxed to NULLABLE at the top level, and the flag columns.
    static func stagingFields(_ fields: [JSONValue], flags: Flags) -> [JSONValue] {
        var result = fields.map { field -> JSONValue in
            guard case .object(var object) = field, object["mode"]?.stringValue?.uppercased() == "REQUIRED" else { return field }
            object["mode"] = .string("NULLABLE")
            return .object(object)
        }
        result.append(["name": .string(flags.delete), "type": "BOOL", "mode": "NULLABLE"])
        result.append(["name": .string(flags.absent), "type": "STRING", "mode": "NULLABLE"])
        return result
    }

    private func jobResource(project: String, jobID: String, configuration: JSONValue) -> JSONValue {
        var reference = JSONObject([("projectId", .string(project)), ("jobId", .string(jobID))])
        if let location = settings.location { reference["location"] = .string(location) }
        return ["jobReference": .object(reference), "configuration": configuration]
    }

    /// Runs a `SELECT COUNT(*)` through `jobs.query`, following up with `jobs.getQueryResults` while it runs.
    private func count(_ sql: String, project: String) async throws -> Int {
        var request = JSONObject([("query", .string(sql)), ("useLegacySql", false), ("timeoutMs", 10000)])
        if let location = settings.location { request["location"] = .string(location) }
        var response = try await runner.rest.query(project: project, request: .object(request))
        let start = runner.clock.now()
        while response[key: "jobComplete"]?.boolValue == false {
            guard let jobID = response[key: "jobReference"]?[key: "jobId"]?.stringValue else { break }
            if let timeout = settings.timeout, runner.clock.now() - start >= timeout {
                throw BigQueryJobError(jobID: jobID, purpose: "key count", kind: .stillRunning(timeout: timeout))
            }
            response = try await runner.rest.getQueryResults(project: project, jobID: jobID,
                                                             location: settings.location, timeoutMs: 10000)
        }
        guard let text = response[key: "rows"]?[index: 0]?[key: "f"]?[index: 0]?[key: "v"]?.textValue,
              let value = Int(text) else {
            throw DocumentError("the key count query returned no number: \(response)", code: .unavailable)
        }
        return value
    }

    /// `{"rowsInserted", "rowsUpdated", "rowsAffected", "jobId", …}`: from `dmlStats` when BigQuery
    /// reports it, otherwise from `numDmlAffectedRows` and the keys counted before the MERGE.
    static func summary(job: JSONValue, jobID: String, matched: Int, staged: Int) -> JSONValue {
        let query = job[key: "statistics"]?[key: "query"]
        let affected = query?[key: "numDmlAffectedRows"]?.textValue.flatMap { Int($0) }
        var inserted: Int
        var updated: Int
        if let stats = query?[key: "dmlStats"], let insertedText = stats[key: "insertedRowCount"]?.textValue {
            inserted = Int(insertedText) ?? 0
            updated = stats[key: "updatedRowCount"]?.textValue.flatMap { Int($0) } ?? 0
        } else {
            updated = matched
            inserted = max((affected ?? staged) - matched, 0)
        }
        var object = JSONObject()
        object["rowsInserted"] = .number(String(inserted))
        object["rowsUpdated"] = .number(String(updated))
        object["rowsAffected"] = .number(String(affected ?? inserted + updated))
        object["rowsStaged"] = .number(String(staged))
        object["jobId"] = .string(jobID)
        if let location = job[key: "jobReference"]?[key: "location"]?.stringValue { object["location"] = .string(location) }
        return .object(object)
    }

    static func hex(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 8 - text.count) + text
    }
}
