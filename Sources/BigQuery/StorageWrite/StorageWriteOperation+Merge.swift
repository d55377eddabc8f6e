import DocumentMapping
import ProcessEngine

extension StorageWriteOperation {
    /// `<uniqueConstraints>`: the group's rows are prepared against the table schema (as for
    /// appends), folded per key in batch order (``StorageMergeFold``), loaded into a staging table
    /// and merged into the table on the keys, as `upsert-data` does. Rows whose document property
    /// `op` is `delete` delete the row of their key; the last `truncate` empties the table and the
    /// rows before it are dropped. Rows rendering other key columns merge separately, one set of
    /// keys after the other, in order of first appearance. Returns the failures by index in the
    /// group, and which of them are rejections of the row: a row that does not fit fails alone
    /// (rejected); a failed schema read, column add, truncate, load or MERGE fails its rows (not
    /// rejected). With `schemaUpdate` add-columns, the columns the rows carry are added first
    /// (after a truncate), and `log` says which.
    func merge(_ group: Group, of documents: [Document], context: OperationContext) async -> (failures: [Int: String], rejected: Set<Int>, log: [String]) {
        guard let constraints = settings.sink.uniqueConstraints else { return ([:], [], []) }
        var failures: [Int: String] = [:]
        var start = 0
        if let last = group.changes.lastIndex(where: { $0.op == .truncate }) {
            do {
                try await truncate(group.table, document: group.positions[last], context: context)
            } catch {
                for index in group.rows.indices { failures[index] = "\(error)" }
                return (failures, [], [])
            }
            start = last + 1
        }
        guard start < group.rows.count else { return (failures, [], []) }
        let schema: StorageSchema
        var log: [String] = []
        do {
            if settings.sink.schemaUpdate == .addColumns {
                log = try await evolution.evolve(group.table, rows: group.rows.suffix(from: start).rows(of: documents),
                                                 executionID: context.execution.id).lines
            }
            schema = try StorageSchema.parse(table: try await JobsREST(rest: rest).getTable(group.table),
                                             name: group.table.description)
        } catch {
            for index in start..<group.rows.count { failures[index] = "\(error)" }
            return (failures, [], log)
        }
        var keySets: [[String]] = []
        var members: [[Int]] = []
        for index in start..<group.rows.count {
            let keys = index < group.changes.count ? group.changes[index].keys : constraints.keys
            if let known = keySets.firstIndex(of: keys) { members[known].append(index) } else {
                keySets.append(keys)
                members.append([index])
            }
        }
        var rejected: Set<Int> = []
        for (keys, indices) in zip(keySets, members) {
            let merged = await merge(indices, of: group, documents: documents, keys: keys, schema: schema, context: context)
            failures.merge(merged.failures) { _, new in new }
            rejected.formUnion(merged.rejected)
        }
        return (failures, rejected, log)
    }

    /// Prepares, folds and merges the rows at `indices` of `group`, which share their key columns.
    private func merge(_ indices: [Int], of group: Group, documents: [Document], keys named: [String], schema: StorageSchema,
                       context: OperationContext) async -> (failures: [Int: String], rejected: Set<Int>) {
        let preparer = StorageRowPreparer(schema: schema, table: group.table.description, sink: settings.sink)
        // A change document's column the table lacks fails it (and so stops its change stream, or
        // goes to the dead-letter queue) unless <unknownColumns>drop</unknownColumns> says otherwise.
        var strict = preparer
        if !settings.sink.unknownColumnsGiven {
            strict.unknownColumns = .error
            strict.changeDocuments = true
        }
        let columns = schema.fields.map(\.name)
        var byName: [String: String] = [:]
        for column in columns { byName[column.lowercased()] = column }
        var failures: [Int: String] = [:]
        // The keys as the table names them (any case); a key the table lacks fails these rows.
        var keys: [String] = []
        for key in named {
            guard let column = byName[key.lowercased()] else {
                for index in indices {
                    failures[index] = "unique key column \(key) is not a column of table \(group.table)"
                }
                return (failures, Set(indices))
            }
            keys.append(column)
        }
        var fold = StorageMergeFold()
        for index in indices {
            do {
                let op = index < group.changes.count ? group.changes[index].op : .insert
                let json = try group.rows.row(index, of: documents).json()
                // An update or delete need not carry every REQUIRED column: the ones it lacks are kept.
                let isChange = index < group.changes.count && group.changes[index].isChange
                let value = try (isChange ? strict : preparer).prepare(json, partial: op == .update || op == .delete)
                var key: [UInt8] = []
                for column in keys {
                    guard let part = value[key: column], !part.isNull else {
                        throw DocumentError("unique key column \(column) is null or missing", code: .value)
                    }
                    key += part.serialized() + [0]
                }
                // The columns the row carries (any case, null included), by the table's names.
                var values: [String: JSONValue] = [:]
                if case .object(let object) = json {
                    for member in object.keys {
                        guard let column = byName[member.lowercased()] else { continue }
                        if op == .delete, !keys.contains(column) { continue }
                        values[column] = value[key: column] ?? .null
                    }
                }
                for column in keys { values[column] = value[key: column] }
                fold.apply(key: key, op: op, values: values, row: index)
            } catch {
                failures[index] = "\(error)"
            }
        }
        let rejected = Set(failures.keys)
        guard !fold.states.isEmpty else { return (failures, rejected) }
        // One MERGE with a list of absent columns per row (IF(STRPOS(…)) keeps them), rather than
        // one MERGE per set of carried columns: a batch costs one load and one query job, however
        // the rows differ, and BigQuery limits concurrent and daily DML jobs per table.
        let assigned = fold.assigned(columns: columns)
        let flags = UpsertDataOperation.Flags(delete: StorageMergeFold.freeName("_conveyor_delete", avoiding: columns),
                                              absent: StorageMergeFold.freeName("_conveyor_absent", avoiding: columns))
        let data = fold.stagingRows(columns: columns, assigned: assigned, keys: keys,
                                    deleteFlag: flags.delete, absentList: flags.absent)
        var upsertSettings = UpsertDataSettings(projectID: settings.projectID, datasetID: settings.datasetID,
                                                tableID: settings.tableID, keys: keys, sourceFormat: .json,
                                                writeDisposition: "WRITE_APPEND", createDisposition: "CREATE_NEVER",
                                                location: location, timeout: RunJobSettings.defaultTimeout,
                                                returnApplicationErrors: false)
        upsertSettings.updateMatched = settings.sink.uniqueConstraints?.updateMatched ?? true
        let upsert = UpsertDataOperation(settings: upsertSettings, runner: runner)
        let folded = fold.states.flatMap(\.rows).sorted()
        var staged = UpsertDataOperation.Group(target: group.table, positions: folded.map { group.positions[$0] },
                                               data: data, rows: fold.states.count)
        staged.columns = assigned
        staged.flags = flags
        do {
            _ = try await upsert.upsert(staged, context: context)
        } catch {
            for index in folded { failures[index] = "\(error)" }
        }
        return (failures, rejected)
    }

    /// `op` truncate: `DELETE FROM table WHERE TRUE` (schema kept), before the rows after it merge.
    private func truncate(_ table: TableReference, document: Int, context: OperationContext) async throws {
        let sql = "DELETE FROM \(try MergeStatement.quoted(table)) WHERE TRUE"
        let jobID = JobRunner.newJobID(execution: context.execution.id, document: document)
        do {
            _ = try await runner.run(job: StorageTablePreparation.job(sql, project: table.project, jobID: jobID, location: location),
                                     project: table.project, jobID: jobID, location: location,
                                     timeout: RunJobSettings.defaultTimeout, purpose: "truncate: emptying \(table)")
        } catch {
            throw DocumentError("a document's op is truncate, but table \(table) could not be emptied: \(error)", code: .unavailable)
        }
    }
}
