import DocumentMapping
import ProcessEngine

/// `action="get-query-results"` over `jobs.getQueryResults`: for each input document naming a
/// job, one output document per result row, handed on page by page so that only one page is
/// held at a time. Every output keeps the input document's index and properties.
struct GetQueryResultsOperation: ConnectorOperation {
    let settings: QueryResultsSettings
    let rest: BigQueryREST
    /// The pause between calls while a job is not complete (the server also waits up to `timeoutMs`).
    var pollInterval: Duration = .milliseconds(200)
    /// The longest `timeoutMs` asked of one call.
    static let longestCallWait = Duration.seconds(10)

    /// The job whose results one input document asks for.
    struct Job: Sendable, Equatable, CustomStringConvertible {
        var project: String
        var id: String
        var location: String?
        var description: String { "\(project):\(location.map { $0 + "." } ?? "")\(id)" }
    }

    /// An error thrown by the downstream shapes while they took a page; passed through unchanged.
    private struct DownstreamError: Error {
        var underlying: any Error
    }

    func execute(_ documents: [Document], context: OperationContext) async throws -> OperationOutcome {
        var collected: [Document] = []
        let outcome = try await execute(documents, context: context) { collected += $0 }
        return OperationOutcome(outputs: collected + outcome.outputs, failures: outcome.failures,
                                applicationErrors: outcome.applicationErrors)
    }

    func execute(_ documents: [Document], context: OperationContext,
                 emit: ([Document]) async throws -> Void) async throws -> OperationOutcome {
        var failures: [DocumentFailure] = []
        var errorDocuments: [Document] = []
        for original in documents {
            var document = original
            let job: Job
            do { job = try self.job(for: &document, context: context) } catch {
                failures.append(DocumentFailure(document: document, error: error))
                continue
            }
            var rows = 0
            do {
                try await stream(job, for: document, rows: &rows) { page in
                    do { try await emit(page) } catch { throw DownstreamError(underlying: error) }
                }
            } catch let error as DownstreamError {
                throw error.underlying
            } catch let error as CancellationError {
                throw error
            } catch let error as BigQueryAPIError where settings.returnApplicationErrors {
                errorDocuments.append(applicationError(error, job: job, document: document))
            } catch {
                let after = rows > 0 ? " (after \(rows) rows had been passed on)" : ""
                failures.append(DocumentFailure(document: document, message: "\(error)\(after)",
                                                code: DocumentError.code(of: error, else: .connector)))
            }
        }
        return OperationOutcome(outputs: errorDocuments, failures: failures, applicationErrors: errorDocuments.count)
    }

    /// The job an input document names: its JSON (`jobId`, `location`, `projectId`, or a Job
    /// resource's `jobReference`), else the document properties `jobId` and `location`.
    func job(for document: inout Document, context: OperationContext) throws -> Job {
        var id: String?
        var location: String?
        var project: String?
        if document.data.contains(where: { $0 == UInt8(ascii: "{") }), case .object(let object)? = try? document.json() {
            let reference = object["jobReference"]?.objectValue
            id = object["jobId"]?.stringValue ?? reference?["jobId"]?.stringValue
            location = object["location"]?.stringValue ?? reference?["location"]?.stringValue
            project = object["projectId"]?.stringValue ?? reference?["projectId"]?.stringValue
        }
        if id == nil { id = document.properties["jobId"] }
        if location == nil { location = document.properties["location"] }
        guard let id, !id.isEmpty else { throw QueryResultsError.noJob(documentIndex: document.index) }
        let resolvedProject = try project ?? context.interpolate(settings.projectID, for: document)
        try TableReference.checkProject(resolvedProject)
        return Job(project: resolvedProject, id: id, location: location ?? settings.location)
    }

    /// Reads every page of `job`, handing each page's rows to `emit` before asking for the next.
    func stream(_ job: Job, for input: Document, rows: inout Int,
                emit: ([Document]) async throws -> Void) async throws {
        let clock = ContinuousClock()
        let deadline = settings.timeout.map { clock.now.advanced(by: $0) }
        var properties = input.properties
        properties["bigquery.projectId"] = job.project
        properties["bigquery.jobId"] = job.id
        if let location = job.location { properties["bigquery.location"] = location }
        var request = BigQueryREST.QueryResultsRequest(project: job.project, jobID: job.id, location: job.location,
                                                       maxResults: settings.maxResults, pageToken: nil,
                                                       timeoutMilliseconds: 0)
        var decoder: RowDecoder?
        var fastRows: FastResultRows?
        while true {
            var wait = Self.longestCallWait
            if decoder == nil, let deadline { wait = max(.zero, min(wait, clock.now.duration(to: deadline))) }
            request.timeoutMilliseconds = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
            let body = try await rest.getQueryResults(request)
            // The rows are read from the bytes (`FastResultRows`); the rest of the page as a tree.
            // Once the schema is known to need the tree path, pages are parsed whole, once.
            var page: QueryResultsPage
            let rowsRange: Range<Int>?
            if decoder == nil || fastRows != nil, let split = QueryResultsPage.parseLeavingRows(body) {
                (page, rowsRange) = split
            } else {
                (page, rowsRange) = (try QueryResultsPage.parse(body), nil)
            }
            guard page.jobComplete else {
                if let deadline, clock.now >= deadline, let timeout = settings.timeout {
                    throw QueryResultsError.notComplete(job: job.description, timeout: timeout)
                }
                if pollInterval > .zero { try await Task.sleep(for: pollInterval) }
                continue
            }
            if decoder == nil {
                guard let fields = page.fields else { throw QueryResultsError.noSchema(job: job.description) }
                decoder = RowDecoder(fields: fields)
                fastRows = FastResultRows(fields: fields)
            }
            if let decoder {
                let documents: [Document]
                if let rowsRange, let fastRows, let fast = fastRows.rows(in: body, at: rowsRange) {
                    documents = fast.map { Document(data: $0, properties: properties, index: input.index) }
                } else {
                    // The tree path: RECORD or REPEATED fields, rows in another form, or an error to word.
                    if rowsRange != nil { page = try QueryResultsPage.parse(body) }
                    documents = try decoder.decode(rows: page.rows).map {
                        Document(json: $0, properties: properties, index: input.index)
                    }
                }
                if !documents.isEmpty {
                    try await emit(documents)
                    rows += documents.count
                }
            }
            guard let token = page.pageToken, !token.isEmpty else { return }
            if token == request.pageToken { throw QueryResultsError.repeatedPageToken(job: job.description, token: token) }
            request.pageToken = token
        }
    }

    /// The error response as a document that continues (`returnApplicationErrors`).
    private func applicationError(_ error: BigQueryAPIError, job: Job, document: Document) -> Document {
        var reference = JSONObject()
        reference["projectId"] = .string(job.project)
        reference["jobId"] = .string(job.id)
        if let location = job.location { reference["location"] = .string(location) }
        var body = JSONObject()
        body["error"] = error.json
        body["jobReference"] = .object(reference)
        var result = document
        result.replace(with: .object(body))
        result.properties[Document.applicationErrorProperty] = error.description
        return result
    }
}
