import Foundation
import HTTPTransport

/// Calls BigQuery REST API v2 for one connection.
struct BigQueryREST: Sendable {
    let http: any HTTPClient
    let rootURL: String

    /// `tabledata.insertAll`: returns the response body on success, throws ``BigQueryAPIError`` otherwise.
    func insertAll(project: String, dataset: String, table: String, body: [UInt8]) async throws -> [UInt8] {
        let url = "\(rootURL)/bigquery/v2/projects/\(Self.segment(project))/datasets/\(Self.segment(dataset))"
            + "/tables/\(Self.segment(table))/insertAll"
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [HTTPHeader("Content-Type", "application/json")], body: body)
        let response = try await http.send(request)
        guard (200..<300).contains(response.status) else {
            throw BigQueryAPIError.decode(operation: "insertAll \(project).\(dataset).\(table)",
                                          status: response.status, body: response.body)
        }
        return response.body
    }

    /// Percent-encodes one path segment.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
