import Foundation
import Hummingbird
import ProcessEngine
import ProcessModel

extension HostServer {
    /// One route per process with a `<listener>` start shape.
    func addListenerRoutes(to group: RouterGroup<BasicRequestContext>) {
        for process in host.workspace.processes.values.sorted(by: { $0.id < $1.id }) {
            guard let listener = process.listener, let method = HTTPRequest.Method(listener.method) else { continue }
            let processID = process.id
            group.on(RouterPath(listener.path), method: method) { request, _ in
                await self.answerListener(processID: processID, request: request)
            }
        }
    }

    /// Runs the process with the request as its input document and answers with what it returned.
    func answerListener(processID: String, request: Request) async -> Response {
        guard host.isAccepting else { return unavailable("the host is shutting down") }
        guard !host.isBusy(processID) else {
            return unavailable("process '\(processID)' is running and does not allow simultaneous executions")
        }
        let bytes: [UInt8]
        switch await body(of: request) {
        case .success(let read): bytes = read
        case .failure(let answer): return answer.response
        }
        let document = Document(data: bytes, properties: Self.properties(of: request))
        let outcome = await host.run(processID: processID, trigger: .listener, inputs: [document])
        switch outcome {
        case .stopping, .busy, .runningElsewhere:
            return refused(outcome, processID: processID)
        case .finished(let execution, let returned):
            if execution.status == .error {
                return Self.json(summary(of: execution), status: .internalServerError)
            }
            if returned.isEmpty { return Self.json(summary(of: execution)) }
            return Self.answer(returning: returned)
        }
    }

    /// The stored (secret-redacted) record of an execution, or the engine's when the store has none.
    func summary(of execution: Execution) -> HostJSON.ExecutionBody {
        if let record = try? store.execution(id: execution.info.id) { return HostJSON.ExecutionBody(record) }
        return HostJSON.ExecutionBody(execution)
    }

    /// Document properties from a request: `http.method`, `http.path`, `http.query.<name>` and
    /// `http.header.<lower-case name>` (except `Authorization`, which never enters a document).
    static func properties(of request: Request) -> [String: String] {
        var properties = ["http.method": request.method.rawValue, "http.path": request.uri.path]
        for field in request.headers where field.name != .authorization {
            let name = "http.header." + field.name.canonicalName
            properties[name] = properties[name].map { $0 + ", " + field.value } ?? field.value
        }
        for (name, value) in request.uri.queryParameters {
            let key = "http.query." + (String(name).removingPercentEncoding ?? String(name))
            properties[key] = String(value)
        }
        return properties
    }

    /// One document: its bytes; several: a JSON array (a document that is not JSON becomes a JSON string).
    /// A document property `http.response.content-type` sets the content type of a single document
    /// and `http.response.status` the status.
    static func answer(returning documents: [Document]) -> Response {
        let status = documents.first?.properties["http.response.status"].flatMap(Int.init)
            .map { HTTPResponse.Status(code: $0) } ?? .ok
        if documents.count == 1, let document = documents.first {
            let type = document.properties["http.response.content-type"] ?? contentType(of: document.data)
            return Response(status: status, headers: [.contentType: type],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: document.data)))
        }
        var array: [UInt8] = [UInt8(ascii: "[")]
        for (position, document) in documents.enumerated() {
            if position > 0 { array.append(UInt8(ascii: ",")) }
            if isJSON(document.data) {
                array += document.data
            } else {
                array += HostJSON.encode(document.text)
            }
        }
        array.append(UInt8(ascii: "]"))
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: array)))
    }

    static func isJSON(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
    }

    static func contentType(of bytes: [UInt8]) -> String {
        let first = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), isJSON(bytes) { return "application/json" }
        if first == UInt8(ascii: "<") { return "application/xml" }
        if String(validating: bytes, as: UTF8.self) != nil { return "text/plain; charset=utf-8" }
        return "application/octet-stream"
    }
}
