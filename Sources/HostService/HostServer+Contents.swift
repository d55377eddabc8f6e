import ExecutionStore
import Foundation
import Hummingbird

extension HostServer {
    /// The routes of captured document contents (`captureDocuments`), under the API's auth.
    func addContentRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("/api/executions/:id/documents") { request, context in
            self.documentContents(request: request, executionID: context.parameters.get("id") ?? "")
        }
        group.get("/api/executions/:id/documents/:index/content") { request, context in
            self.documentContent(request: request, executionID: context.parameters.get("id") ?? "",
                                 index: context.parameters.get("index") ?? "")
        }
    }

    /// One captured content in a listing (without its bytes).
    struct ContentEntry: Encodable {
        var index: Int
        var shape: String
        var direction: String
        var status: String
        var size: Int
        var stored: Int
        var cut: Bool
        var error: String?
        var errorCode: String?
        var properties: [String: String]
        var content: String
    }

    /// `GET /api/executions/{id}/documents`: the contents the execution kept, without their bytes.
    func documentContents(request: Request, executionID: String) -> Response {
        if let unknown = Self.unknownParameter(in: request, allowed: []) { return unknown }
        let record: ExecutionRecord
        switch self.record(id: executionID) {
        case .success(let found): record = found
        case .failure(let answer): return answer.response
        }
        do {
            let contents = try store.documentContents(executionID: record.id, withContent: false)
            return Self.json(["documents": contents.map { content in
                ContentEntry(index: content.index, shape: content.shapeID, direction: content.direction,
                             status: content.status.rawValue, size: content.size, stored: content.storedSize,
                             cut: content.cut, error: content.error, errorCode: content.errorCode,
                             properties: content.properties,
                             content: "/api/executions/\(record.id)/documents/\(content.index)/content?shape="
                                 + "\(Self.queryEscaped(content.shapeID))&direction=\(content.direction)")
            }])
        } catch {
            return storeFailure(error)
        }
    }

    /// `GET /api/executions/{id}/documents/{n}/content[?shape=S&direction=input|output]`: the
    /// bytes kept, with a content type sniffed from them. Without `shape` and `direction` the
    /// document must have one content only.
    func documentContent(request: Request, executionID: String, index text: String) -> Response {
        if let unknown = Self.unknownParameter(in: request, allowed: ["shape", "direction"]) { return unknown }
        guard let index = Int(text), index >= 0 else {
            return Self.error(.badRequest, "document index '\(text)' is not a number (0, 1, …)")
        }
        let parameters = request.uri.queryParameters
        let shape = parameters.get("shape")
        let direction = parameters.get("direction")
        if let direction, direction != "input", direction != "output" {
            return Self.error(.badRequest, "direction '\(direction)' is not 'input' or 'output'")
        }
        let record: ExecutionRecord
        switch self.record(id: executionID) {
        case .success(let found): record = found
        case .failure(let answer): return answer.response
        }
        do {
            let contents = try store.documentContents(executionID: record.id, index: index).filter {
                (shape == nil || $0.shapeID == shape) && (direction == nil || $0.direction == direction)
            }
            guard let content = contents.first else {
                return Self.error(.notFound, "execution \(record.id) kept no content of document \(index)"
                    + (shape.map { " at shape '\($0)'" } ?? "") + (direction.map { " (\($0))" } ?? ""))
            }
            guard contents.count == 1 else {
                let found = contents.map { "\($0.shapeID) \($0.direction)" }.joined(separator: ", ")
                return Self.error(.badRequest, "document \(index) has \(contents.count) contents (\(found)); "
                    + "choose one with ?shape=…&direction=…")
            }
            var headers: HTTPFields = [.contentType: ContentSniffer.mediaType(of: content.content, cut: content.cut)]
            if let name = HTTPFields.Element.Name("X-Conveyor-Content-Size") { headers[name] = "\(content.size)" }
            if let name = HTTPFields.Element.Name("X-Conveyor-Content-Cut") { headers[name] = content.cut ? "true" : "false" }
            return Response(status: .ok, headers: headers,
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: content.content)))
        } catch {
            return storeFailure(error)
        }
    }

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
