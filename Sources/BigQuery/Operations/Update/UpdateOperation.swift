import DocumentMapping
import ProcessEngine

/// `action="update"`: each document is a Table resource (full or partial) sent with
/// `tables.update` (PUT, `fullUpdate`) or `tables.patch` (PATCH) to a table or view; the output is
/// the updated Table resource the API returns.
struct UpdateOperation: ConnectorOperation {
    let settings: UpdateSettings
    let rest: BigQueryREST

    /// The table or view one document updates.
    struct Target: Sendable, Equatable {
        var project: String
        var dataset: String
        var table: String
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var outputs: [Document] = []
        var failures: [DocumentFailure] = []
        var applicationErrors = 0
        for original in documents {
            var document = original
            let target: Target
            let body: [UInt8]
            do {
                (target, body) = try prepare(&document, context: context)
            } catch {
                failures.append(DocumentFailure(document: document, error: error))
                continue
            }
            document.properties["bigquery.projectId"] = target.project
            document.properties["bigquery.datasetId"] = target.dataset
            document.properties["bigquery.tableId"] = target.table
            do {
                let response = try await rest.updateTable(project: target.project, dataset: target.dataset,
                                                          table: target.table, full: settings.fullUpdate, body: body)
                var output = document
                if let json = try? JSONParser.parse(response) { output.replace(with: json) } else { output.data = response }
                outputs.append(output)
            } catch let error as BigQueryAPIError where settings.returnApplicationErrors {
                var result = JSONObject()
                result["error"] = error.json
                result["request"] = (try? document.json()) ?? .string(document.text)
                document.replace(with: .object(result))
                document.properties[Document.applicationErrorProperty] = error.description
                outputs.append(document)
                applicationErrors += 1
            } catch let error as CancellationError {
                throw error
            } catch {
                failures.append(DocumentFailure(document: document, error: error))
            }
        }
        return OperationOutcome(outputs: outputs, failures: failures, applicationErrors: applicationErrors)
    }

    /// Checks one document and finds its target; the body sent is the document, with
    /// `tableReference` added for a full update that has none.
    func prepare(_ document: inout Document, context: OperationContext) throws -> (Target, [UInt8]) {
        let kind = settings.object.isView ? "view" : "table"
        guard case .object(var resource) = try document.json() else {
            throw DocumentError("document \(document.index): an update needs a \(kind) resource as a JSON object", code: .content)
        }
        let reference = resource["tableReference"]?.objectValue
        let target: Target
        if settings.object.isDynamic {
            guard let dataset = reference?["datasetId"]?.stringValue, !dataset.isEmpty,
                  let table = reference?["tableId"]?.stringValue, !table.isEmpty else {
                throw DocumentError("document \(document.index): object \(settings.object.rawValue) takes the \(kind) "
                    + "from the document, which needs tableReference.datasetId and tableReference.tableId", code: .content)
            }
            let project = try reference?["projectId"]?.stringValue ?? context.interpolate(settings.projectID, for: document)
            target = Target(project: project, dataset: dataset, table: table)
        } else {
            guard let datasetID = settings.datasetID, let tableID = settings.tableID else {
                throw DocumentError("the update operation has no datasetId and tableId", code: .setting)
            }
            target = Target(project: try context.interpolate(settings.projectID, for: document),
                            dataset: try context.interpolate(datasetID, for: document),
                            table: try context.interpolate(tableID, for: document))
        }
        _ = try TableReference(checking: target.project, dataset: target.dataset, table: target.table)
        if settings.object.isView, settings.fullUpdate {
            guard let query = resource["view"]?[key: "query"]?.stringValue, !query.isEmpty else {
                throw DocumentError("document \(document.index): a full update of view \(target.dataset).\(target.table) "
                    + "needs view.query (a full update replaces the whole view)", code: .content)
            }
        }
        guard settings.fullUpdate, reference == nil else { return (target, document.data) }
        var added = JSONObject()
        added["projectId"] = .string(target.project)
        added["datasetId"] = .string(target.dataset)
        added["tableId"] = .string(target.table)
        resource["tableReference"] = .object(added)
        return (target, JSONValue.object(resource).serialized())
    }
}
