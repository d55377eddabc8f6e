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

    /// The characters a path segment or query value keeps as they are: RFC 3986's unreserved ones,
    /// ASCII only (`CharacterSet.alphanumerics` would let non-ASCII letters through unencoded).
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes one path segment (or query value): every byte of its UTF-8 but the
    /// unreserved characters, so `/`, `?`, `#`, `%`, spaces and non-ASCII letters cannot change the path.
    static func segment(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, unreserved.contains(scalar) {
                encoded.unicodeScalars.append(scalar)
            } else {
                encoded += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
