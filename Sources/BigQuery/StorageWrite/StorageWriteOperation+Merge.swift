import DocumentMapping
import ProcessEngine

extension StorageWriteOperation {
    /// `<uniqueConstraints>`: the group's rows are prepared against the table schema (as for
    /// appends), de-duplicated by key (the last row of a key wins), loaded into a staging table
    /// and merged into the table on the keys, as `upsert-data` does. Columns that no row of the
    /// batch carries are left as they are in matched rows. Returns the failures by index in the
    /// group, and which of them are rejections of the row: a row that does not fit fails alone
    /// (rejected); a failed schema read, load or MERGE fails every row (not rejected).
    func merge(_ group: Group, context: OperationContext) async -> (failures: [Int: String], rejected: Set<Int>) {
        guard let constraints = settings.sink.uniqueConstraints else { return ([:], []) }
        var failures: [Int: String] = [:]
        let schema: StorageSchema
        do {
            schema = try StorageSchema.parse(table: try await JobsREST(rest: rest).getTable(group.table),
                                             name: group.table.description)
        } catch {
            for index in group.rows.indices { failures[index] = "\(error)" }
            return (failures, [])
        }
        let preparer = StorageRowPreparer(schema: schema, table: group.table.description, sink: settings.sink)
        var latest: [[UInt8]: Int] = [:]
        var prepared: [Int: JSONValue] = [:]
        // Top-level members the rows carry (any case, null included): the columns the MERGE assigns.
        var carried: Set<String> = []
        for (index, row) in group.rows.enumerated() {
            do {
                let json = try row.json()
                let value = try preparer.prepare(json)
                if case .object(let object) = json { for key in object.keys { carried.insert(key.lowercased()) } }
                var key: [UInt8] = []
                for column in constraints.keys {
                    guard let part = value[key: column], !part.isNull else {
                        throw DocumentError("unique key column \(column) is null or missing", code: .value)
                    }
                    key += part.serialized() + [0]
                }
                prepared[index] = value
                latest[key] = index
            } catch {
                failures[index] = "\(error)"
            }
        }
        let rejected = Set(failures.keys)
        let kept = latest.values.sorted()
        guard !kept.isEmpty else { return (failures, rejected) }
        var data: [UInt8] = []
        for index in kept { data += (prepared[index] ?? .null).serialized() + [UInt8(ascii: "\n")] }
        var upsertSettings = UpsertDataSettings(projectID: settings.projectID, datasetID: settings.datasetID,
                                                tableID: settings.tableID, keys: constraints.keys, sourceFormat: .json,
                                                writeDisposition: "WRITE_APPEND", createDisposition: "CREATE_NEVER",
                                                location: location, timeout: RunJobSettings.defaultTimeout,
                                                returnApplicationErrors: false)
        upsertSettings.updateMatched = constraints.updateMatched
        let upsert = UpsertDataOperation(settings: upsertSettings, runner: runner)
        var staged = UpsertDataOperation.Group(target: group.table, positions: kept.map { group.positions[$0] },
                                               data: data, rows: kept.count)
        staged.columns = schema.fields.map(\.name).filter { carried.contains($0.lowercased()) }
        do {
            _ = try await upsert.upsert(staged, context: context)
        } catch {
            for index in prepared.keys { failures[index] = "\(error)" }
        }
        return (failures, rejected)
    }
}
