import DocumentMapping
import Foundation
import HTTPTransport

/// The BigQuery REST calls behind `run-job` and `upsert-data`: jobs, tables and media uploads.
struct JobsREST: Sendable {
    let http: any HTTPClient
    let rootURL: String
    /// Upload bodies up to this size go in one multipart request; larger ones use a resumable upload.
    var multipartLimit = 5 * 1024 * 1024
    /// Bytes per `PUT` of a resumable upload (a multiple of 256 KiB, as the protocol requires).
    var resumableChunkSize = 100 * 1024 * 1024

    init(rest: BigQueryREST) {
        self.http = rest.http
        self.rootURL = rest.rootURL
    }

    init(http: any HTTPClient, rootURL: String) {
        self.http = http
        self.rootURL = rootURL
    }

    private func projectURL(_ project: String) -> String {
        "\(rootURL)/bigquery/v2/projects/\(BigQueryREST.segment(project))"
    }

    private func tableURL(_ table: TableReference) -> String {
        projectURL(table.project) + "/datasets/\(BigQueryREST.segment(table.dataset))/tables/\(BigQueryREST.segment(table.table))"
    }

    private static func locationQuery(_ location: String?) -> String {
        guard let location, !location.isEmpty else { return "" }
        return "?location=" + BigQueryREST.segment(location)
    }

    /// `jobs.insert`. A 409 is returned as ``InsertAnswer/alreadyExists`` (a retried insert of the same id).
    func insertJob(project: String, job: JSONValue) async throws -> InsertAnswer {
        let request = HTTPRequest(method: "POST", url: projectURL(project) + "/jobs",
                                  headers: [HTTPHeader("Content-Type", "application/json")], body: job.serialized())
        let response = try await http.send(request)
        if response.status == 409 { return .alreadyExists }
        return .created(try Self.decode(response, operation: "jobs.insert \(project)"))
    }

    /// What `jobs.insert` answered.
    enum InsertAnswer: Sendable {
        case created(JSONValue)
        case alreadyExists
    }

    /// `jobs.get`.
    func getJob(project: String, jobID: String, location: String?) async throws -> JSONValue {
        let url = projectURL(project) + "/jobs/\(BigQueryREST.segment(jobID))" + Self.locationQuery(location)
        return try Self.decode(try await http.send(HTTPRequest(url: url)), operation: "jobs.get \(jobID)")
    }

    /// `tables.get`.
    func getTable(_ table: TableReference) async throws -> JSONValue {
        try Self.decode(try await http.send(HTTPRequest(url: tableURL(table))), operation: "tables.get \(table)")
    }

    /// `tables.insert` of a Table resource into `table`'s dataset.
    func insertTable(_ table: TableReference, resource: JSONValue) async throws {
        let url = projectURL(table.project) + "/datasets/\(BigQueryREST.segment(table.dataset))/tables"
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [HTTPHeader("Content-Type", "application/json")], body: resource.serialized())
        _ = try Self.decode(try await http.send(request), operation: "tables.insert \(table)")
    }

    /// `tables.delete`; a table that is already gone is not an error.
    func deleteTable(_ table: TableReference) async throws {
        let response = try await http.send(HTTPRequest(method: "DELETE", url: tableURL(table)))
        if response.status == 404 { return }
        guard response.isSuccess else {
            throw BigQueryAPIError.decode(operation: "tables.delete \(table)", status: response.status, body: response.body)
        }
    }

    /// `jobs.query`: a short synchronous query; returns the QueryResponse.
    func query(project: String, request body: JSONValue) async throws -> JSONValue {
        let request = HTTPRequest(method: "POST", url: projectURL(project) + "/queries",
                                  headers: [HTTPHeader("Content-Type", "application/json")], body: body.serialized())
        return try Self.decode(try await http.send(request), operation: "jobs.query \(project)")
    }

    /// Decodes a JSON answer, or throws the API error it carries.
    static func decode(_ response: HTTPResponse, operation: String) throws -> JSONValue {
        guard response.isSuccess else {
            throw BigQueryAPIError.decode(operation: operation, status: response.status, body: response.body)
        }
        if response.body.isEmpty { return .object(JSONObject()) }
        do { return try JSONParser.parse(response.body) } catch {
            throw BigQueryAPIError(operation: operation, status: response.status, reason: nil,
                                   message: "the response is not JSON: \(error)")
        }
    }
}

extension JobsREST {
    /// `jobs.getQueryResults` without rows (`maxResults=0` is not used: the first page is small).
    func getQueryResults(project: String, jobID: String, location: String?, timeoutMs: Int) async throws -> JSONValue {
        var url = projectURL(project) + "/queries/\(BigQueryREST.segment(jobID))?timeoutMs=\(timeoutMs)"
        if let location, !location.isEmpty { url += "&location=" + BigQueryREST.segment(location) }
        return try Self.decode(try await http.send(HTTPRequest(url: url)), operation: "jobs.getQueryResults \(jobID)")
    }
}
