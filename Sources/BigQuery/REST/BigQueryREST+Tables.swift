import Foundation
import HTTPTransport

extension BigQueryREST {
    /// One `jobs.getQueryResults` call's parameters.
    struct QueryResultsRequest: Sendable, Equatable {
        var project: String
        var jobID: String
        var location: String?
        var maxResults: Int
        var pageToken: String?
        var timeoutMilliseconds: Int64
    }

    /// `jobs.getQueryResults` with `formatOptions.useInt64Timestamp=true`: the response body,
    /// or ``BigQueryAPIError``.
    func getQueryResults(_ request: QueryResultsRequest) async throws -> [UInt8] {
        var query = [("maxResults", String(request.maxResults)),
                     ("timeoutMs", String(request.timeoutMilliseconds)),
                     ("formatOptions.useInt64Timestamp", "true")]
        if let location = request.location, !location.isEmpty { query.append(("location", location)) }
        if let token = request.pageToken { query.append(("pageToken", token)) }
        let url = "\(rootURL)/bigquery/v2/projects/\(Self.segment(request.project))/queries/"
            + Self.segment(request.jobID) + "?" + query.map { "\($0.0)=\(Self.segment($0.1))" }.joined(separator: "&")
        let response = try await http.send(HTTPRequest(method: "GET", url: url))
        guard response.isSuccess else {
            throw BigQueryAPIError.decode(operation: "getQueryResults \(request.project):\(request.jobID)",
                                          status: response.status, body: response.body)
        }
        return response.body
    }

    /// `tables.update` (PUT, `full` true) or `tables.patch` (PATCH) of a table or view:
    /// the updated Table resource, or ``BigQueryAPIError``.
    func updateTable(project: String, dataset: String, table: String, full: Bool,
                     body: [UInt8]) async throws -> [UInt8] {
        let url = "\(rootURL)/bigquery/v2/projects/\(Self.segment(project))/datasets/\(Self.segment(dataset))"
            + "/tables/\(Self.segment(table))"
        let request = HTTPRequest(method: full ? "PUT" : "PATCH", url: url,
                                  headers: [HTTPHeader("Content-Type", "application/json")], body: body)
        let response = try await http.send(request)
        guard response.isSuccess else {
            throw BigQueryAPIError.decode(operation: "tables.\(full ? "update" : "patch") \(project).\(dataset).\(table)",
                                          status: response.status, body: response.body)
        }
        return response.body
    }
}
