import DocumentMapping
import ProcessEngine

/// `action="run-job"`: one BigQuery job per document, inserted under a client-generated id and
/// waited for; the finished Job resource continues as the document.
struct RunJobOperation: ConnectorOperation {
    let settings: RunJobSettings
    let runner: JobRunner
    /// The random part of job ids (replaceable in tests).
    var random: @Sendable () -> UInt32 = { .random(in: 0...UInt32.max) }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var outputs: [Document] = []
        var outcome = try await execute(documents, context: context) { outputs += $0 }
        outcome.outputs = outputs + outcome.outputs
        return outcome
    }

    func execute(_ documents: [Document], context: OperationContext,
                 emit: ([Document]) async throws -> Void) async throws -> OperationOutcome {
        var failures: [DocumentFailure] = []
        var applicationErrors = 0
        for original in documents {
            var document = original
            do {
                let request = try jobRequest(for: &document, context: context)
                document.properties["bigquery.jobId"] = request.jobID
                document.properties["bigquery.projectId"] = request.project
                if let location = request.location { document.properties["bigquery.location"] = location }
                do {
                    let job = try await runner.run(job: request.job, project: request.project, jobID: request.jobID,
                                                   location: request.location, timeout: settings.timeout,
                                                   purpose: "\(request.kind) job")
                    document.replace(with: job)
                    if let location = job[key: "jobReference"]?[key: "location"]?.stringValue {
                        document.properties["bigquery.location"] = location
                    }
                } catch let error where settings.returnApplicationErrors && Self.isApplicationError(error) {
                    document.replace(with: ["error": Self.json(of: error), "jobId": .string(request.jobID)])
                    document.properties[Document.applicationErrorProperty] = "\(error)"
                    applicationErrors += 1
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures.append(DocumentFailure(document: document, error: error))
                continue
            }
            try await emit([document])
        }
        return OperationOutcome(outputs: [], failures: failures, applicationErrors: applicationErrors)
    }

    /// A job ready to insert.
    struct JobRequest: Sendable {
        var job: JSONValue
        var project: String
        var jobID: String
        var location: String?
        var kind: String
    }

    /// The job for one document: the Job resource it carries (a JSON object with `configuration`),
    /// or one built from the settings. Either way `jobReference` names project, id and location.
    func jobRequest(for document: inout Document, context: OperationContext) throws(DocumentError) -> JobRequest {
        let defaultProject = try context.interpolate(settings.projectID, for: document)
        var job: JSONObject
        if !document.data.isEmpty, case .object(let carried)? = try? document.json(), carried["configuration"] != nil {
            job = carried
        } else {
            job = JSONObject()
            job["configuration"] = try configuration(for: &document, project: defaultProject, context: context)
        }
        var reference = job["jobReference"]?.objectValue ?? JSONObject()
        let project = reference["projectId"]?.stringValue ?? defaultProject
        try TableReference.checkProject(project)
        let jobID = reference["jobId"]?.stringValue
            ?? JobRunner.newJobID(execution: context.execution.id, document: document.index, random: random())
        let location = reference["location"]?.stringValue ?? settings.location
        reference["projectId"] = .string(project)
        reference["jobId"] = .string(jobID)
        if let location { reference["location"] = .string(location) }
        job["jobReference"] = .object(reference)
        let kind = job["configuration"]?.objectValue?.keys.first { ["query", "load", "copy", "extract"].contains($0) }
        return JobRequest(job: .object(job), project: project, jobID: jobID, location: location, kind: kind ?? "")
    }

    static func isApplicationError(_ error: any Error) -> Bool {
        error is BigQueryAPIError || error is BigQueryJobError
    }

    static func json(of error: any Error) -> JSONValue {
        if let error = error as? BigQueryJobError { return error.json }
        if let error = error as? BigQueryAPIError { return error.json }
        return ["message": .string("\(error)")]
    }
}
