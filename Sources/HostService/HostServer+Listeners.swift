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
            return answer(returning: returned, execution: execution)
        }
    }

    /// The stored (secret-redacted) record of an execution, or the engine's when the store has none.
    func summary(of execution: Execution) -> ExecutionRecord {
        if let record = try? store.execution(id: execution.info.id) { return record }
        var body = execution.record
        body.error = redactor.redact(body.error)
        body.userLog = body.userLog.map { redactor.redact($0) }
        return body
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

    /// The answer for the returned documents (see ``ListenerAnswer``); a document property that
    /// cannot be part of an HTTP answer gets 500 with an error naming it.
    func answer(returning documents: [Document], execution: Execution) -> Response {
        do {
            let answer = try ListenerAnswer.make(returning: documents, redactor: redactor)
            guard let status = HTTPResponse.Status(exactly: answer.status) else {
                return Self.error(.internalServerError, "status \(answer.status) cannot be answered")
            }
            return Response(status: status, headers: [.contentType: answer.contentType],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        } catch {
            let message = redactor.redact("execution \(execution.info.id) of process '\(execution.info.processID)' "
                                          + "returned a document the listener cannot answer with: \(error.message)")
            logger.error("listener answer refused", metadata: ["error": "\(message)"])
            return Self.error(.internalServerError, message)
        }
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
