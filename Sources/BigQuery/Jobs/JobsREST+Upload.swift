import DocumentMapping
import HTTPTransport

extension JobsREST {
    /// Inserts a load job whose data travels with it, as the official clients do: one
    /// `multipart/related` request up to ``multipartLimit`` bytes, a resumable upload above.
    func uploadJob(project: String, job: JSONValue, data: [UInt8],
                   boundary: String = Self.newBoundary()) async throws -> InsertAnswer {
        if data.count <= multipartLimit {
            return try await multipartUpload(project: project, job: job, data: data, boundary: boundary)
        }
        return try await resumableUpload(project: project, job: job, data: data)
    }

    private func uploadURL(_ project: String, _ type: String) -> String {
        "\(rootURL)/upload/bigquery/v2/projects/\(BigQueryREST.segment(project))/jobs?uploadType=\(type)"
    }

    /// A boundary that random data is vanishingly unlikely to contain.
    static func newBoundary() -> String {
        "conveyor_" + (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max), radix: 16) }.joined()
    }

    /// The `multipart/related` body: the Job resource as JSON, then the data.
    static func multipartBody(job: JSONValue, data: [UInt8], boundary: String) -> [UInt8] {
        var body: [UInt8] = []
        body += Array("--\(boundary)\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".utf8)
        body += job.serialized()
        body += Array("\r\n--\(boundary)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += data
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return body
    }

    private func multipartUpload(project: String, job: JSONValue, data: [UInt8],
                                 boundary: String) async throws -> InsertAnswer {
        let request = HTTPRequest(method: "POST", url: uploadURL(project, "multipart"),
                                  headers: [HTTPHeader("Content-Type", "multipart/related; boundary=\(boundary)")],
                                  body: Self.multipartBody(job: job, data: data, boundary: boundary))
        let response = try await http.send(request)
        if response.status == 409 { return .alreadyExists }
        return .created(try Self.decode(response, operation: "load upload \(project)"))
    }

    /// Starts a resumable session (the Job resource), then sends the data in chunks of
    /// ``resumableChunkSize`` to the session URL; BigQuery answers 308 until the last chunk.
    private func resumableUpload(project: String, job: JSONValue, data: [UInt8]) async throws -> InsertAnswer {
        let start = HTTPRequest(method: "POST", url: uploadURL(project, "resumable"), headers: [
            HTTPHeader("Content-Type", "application/json; charset=UTF-8"),
            HTTPHeader("X-Upload-Content-Type", "application/octet-stream"),
            HTTPHeader("X-Upload-Content-Length", String(data.count)),
        ], body: job.serialized())
        let started = try await http.send(start)
        if started.status == 409 { return .alreadyExists }
        _ = try Self.decode(started, operation: "resumable upload start \(project)")
        guard let session = started.header("Location"), !session.isEmpty else {
            throw BigQueryAPIError(operation: "resumable upload start \(project)", status: started.status,
                                   reason: nil, message: "the answer has no Location header for the upload session")
        }
        var offset = 0
        while true {
            let end = min(offset + max(resumableChunkSize, 1), data.count)
            let range = "bytes \(offset)-\(end - 1)/\(data.count)"
            let put = HTTPRequest(method: "PUT", url: session, headers: [
                HTTPHeader("Content-Type", "application/octet-stream"),
                HTTPHeader("Content-Range", range),
            ], body: Array(data[offset..<end]))
            let response = try await http.send(put)
            if response.status == 308 {
                offset = Self.nextOffset(response) ?? end
                guard offset < data.count else {
                    throw BigQueryAPIError(operation: "resumable upload \(project)", status: 308, reason: nil,
                                           message: "the session took every byte but did not finish the upload")
                }
                continue
            }
            return .created(try Self.decode(response, operation: "resumable upload \(project) \(range)"))
        }
    }

    /// The first byte not yet stored, from a 308 answer's `Range: bytes=0-N`.
    static func nextOffset(_ response: HTTPResponse) -> Int? {
        guard let range = response.header("Range"), let dash = range.lastIndex(of: "-"),
              let last = Int(range[range.index(after: dash)...]) else { return nil }
        return last + 1
    }
}
