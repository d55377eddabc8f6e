import DocumentMapping
import ProcessEngine

/// `action="upsert-data"`: the rows of a batch are loaded into a staging table next to the
/// target, merged into the target on the key columns, and the staging table is dropped, failure
/// included. One summary document leaves per target table.
struct UpsertDataOperation: ConnectorOperation {
    let settings: UpsertDataSettings
    let runner: JobRunner
    /// Random parts of staging table names and job ids (replaceable in tests).
    var random: @Sendable () -> UInt32 = { .random(in: 0...UInt32.max) }

    /// The rows of one target table in a batch.
    struct Group: Sendable {
        var target: TableReference
        var positions: [Int] = []
        var data: [UInt8] = []
        var rows = 0
        /// The columns the MERGE assigns (the keys always); nil for every column of the table.
        var columns: [String]?
        /// Staging-only columns of a change merge (storage-write `<uniqueConstraints>`): a delete
        /// flag and a list of absent columns. With them the staging table's REQUIRED columns are
        /// NULLABLE (a delete carries only its keys).
        var flags: Flags?
    }

    struct Flags: Sendable, Equatable {
        var delete: String
        var absent: String
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var failures: [DocumentFailure] = []
        var groups: [Group] = []
        for (position, original) in documents.enumerated() {
            var document = original
            do {
                let target = try TableReference(checking: try context.interpolate(settings.projectID, for: document),
                                                dataset: try context.interpolate(settings.datasetID, for: document),
                                                table: try context.interpolate(settings.tableID, for: document))
                let (data, rows) = try stagedRows(of: &document)
                if let index = groups.firstIndex(where: { $0.target == target }) {
                    groups[index].positions.append(position)
                    groups[index].data += data
                    groups[index].rows += rows
                } else {
                    groups.append(Group(target: target, positions: [position], data: data, rows: rows))
                }
            } catch {
                failures.append(DocumentFailure(document: document, error: error))
            }
        }
        var outputs: [Document] = []
        var applicationErrors = 0
        for group in groups {
            let first = documents[group.positions[0]]
            var summary = Document(data: [], properties: first.properties, index: first.index)
            summary.properties["bigquery.projectId"] = group.target.project
            summary.properties["bigquery.datasetId"] = group.target.dataset
            summary.properties["bigquery.tableId"] = group.target.table
            if group.rows == 0 {
                summary.replace(with: ["rowsInserted": 0, "rowsUpdated": 0, "rowsAffected": 0, "rowsStaged": 0])
                outputs.append(summary)
                continue
            }
            do {
                let result = try await upsert(group, context: context)
                summary.properties["bigquery.jobId"] = result[key: "jobId"]?.stringValue
                summary.replace(with: result)
                outputs.append(summary)
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as UpsertError where settings.returnApplicationErrors && error.isApplicationError {
                summary.replace(with: ["error": error.json, "table": .string(group.target.description)])
                summary.properties[Document.applicationErrorProperty] = "\(error)"
                outputs.append(summary)
                applicationErrors += 1
            } catch {
                for position in group.positions {
                    failures.append(DocumentFailure(document: documents[position], error: error))
                }
            }
        }
        return OperationOutcome(outputs: outputs, failures: failures, applicationErrors: applicationErrors)
    }

    /// The document's rows as the staging load expects them: JSON lines, or CSV rows without the header.
    func stagedRows(of document: inout Document) throws(DocumentError) -> ([UInt8], Int) {
        switch settings.sourceFormat {
        case .csv:
            let data = document.data
            guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return ([], 0) }
            var rows = Array(data[(newline + 1)...])
            if let last = rows.last, last != UInt8(ascii: "\n") { rows.append(UInt8(ascii: "\n")) }
            let count = rows.split(separator: UInt8(ascii: "\n")).filter { !$0.allSatisfy { $0 == 13 || $0 == 32 } }.count
            return (rows, count)
        case .json:
            if case .object(let row)? = try? document.json() {
                return (JSONValue.object(row).serialized() + [UInt8(ascii: "\n")], 1)
            }
            var data: [UInt8] = []
            var count = 0
            for (number, line) in document.text.split(whereSeparator: \.isNewline).enumerated() {
                guard !line.allSatisfy(\.isWhitespace) else { continue }
                guard case .object(let row)? = try? JSONParser.parse(String(line)) else {
                    throw DocumentError("document \(document.index), line \(number + 1): an upsert row must be a JSON object", code: .content)
                }
                data += JSONValue.object(row).serialized() + [UInt8(ascii: "\n")]
                count += 1
            }
            guard count > 0 else { throw DocumentError("document \(document.index) holds no rows", code: .content) }
            return (data, count)
        }
    }
}
