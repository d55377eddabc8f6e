import ExecutionStore
import Foundation
import Hummingbird
import ProcessEngine

extension HostServer {
    /// The REST API under `/api`.
    func addAPIRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("/api/processes/:process/executions") { request, context in
            await self.trigger(request: request, processID: context.parameters.get("process") ?? "")
        }
        group.get("/api/executions") { request, _ in
            self.listExecutions(request: request)
        }
        group.get("/api/executions/:id") { _, context in
            self.execution(id: context.parameters.get("id") ?? "")
        }
        group.get("/api/executions/:id/documents/:index") { _, context in
            self.document(executionID: context.parameters.get("id") ?? "",
                          index: context.parameters.get("index") ?? "")
        }
        group.get("/api/tracked") { request, _ in
            self.searchTracked(request: request)
        }
        group.get("/api/hosts") { _, _ in
            self.listHosts()
        }
        addContentRoutes(to: group)
    }

    /// `GET /api/hosts`: the hosts of the cluster (empty outside a cluster), newest first.
    func listHosts() -> Response {
        do {
            return Self.json(HostsBody(hosts: try store.clusterHosts(), hostTimeoutSeconds: cluster.map {
                Int(ClusterService.seconds($0.hostTimeout))
            }))
        } catch {
            return storeFailure(error)
        }
    }

    struct HostsBody: Encodable {
        var hosts: [ClusterHost]
        var hostTimeoutSeconds: Int?
    }

    /// `POST /api/processes/{id}/executions[?wait=false]`: the body, when not empty, is the input document.
    func trigger(request: Request, processID: String) async -> Response {
        guard host.workspace.processes[processID] != nil else {
            let known = host.workspace.processes.keys.sorted().joined(separator: ", ")
            return Self.error(.notFound, "no process '\(processID)' (processes: \(known.isEmpty ? "none" : known))")
        }
        guard host.isAccepting else { return unavailable("the host is shutting down") }
        guard !host.isBusy(processID) else {
            return unavailable("process '\(processID)' is running and does not allow simultaneous executions")
        }
        let bytes: [UInt8]
        switch await body(of: request) {
        case .success(let read): bytes = read
        case .failure(let answer): return answer.response
        }
        let inputs = bytes.isEmpty ? [] : [Document(data: bytes, properties: Self.properties(of: request))]
        let query = request.uri.queryParameters
        if let unknown = Self.unknownParameter(in: request, allowed: ["wait"]) { return unknown }
        let waits: Bool
        switch query.get("wait") {
        case nil, "true", "1": waits = true
        case "false", "0": waits = false
        case let other?: return Self.error(.badRequest, "wait '\(other)' is not true or false")
        }
        if !waits, let cluster, inputs.isEmpty {
            // Any host of the cluster with a free worker runs it; a process that does not allow
            // simultaneous executions and runs now elsewhere is refused as when run here.
            switch host.runner.checkClaim(processID: processID) {
            case .busy: return refused(.busy, processID: processID)
            case .runningElsewhere(let message): return refused(.runningElsewhere(message), processID: processID)
            case .granted, .failed: break
            }
            do {
                let id = try cluster.enqueue(processID: processID, trigger: .manual)
                return Self.json(HostJSON.AcceptedBody(id: id, status: "QUEUED", location: "/api/executions/\(id)"),
                                 status: .accepted, headers: [.location: "/api/executions/\(id)"])
            } catch {
                return storeFailure(error)
            }
        }
        if !waits {
            let id = ExecutionInfo.newID()
            if case .failure(let refusal) = host.start(processID: processID, trigger: .manual, inputs: inputs,
                                                       executionID: id) {
                return refused(refusal.outcome, processID: processID)
            }
            return Self.json(HostJSON.AcceptedBody(id: id, status: "ACCEPTED", location: "/api/executions/\(id)"),
                             status: .accepted, headers: [.location: "/api/executions/\(id)"])
        }
        switch await host.run(processID: processID, trigger: .manual, inputs: inputs) {
        case .finished(let execution, _): return Self.json(summary(of: execution))
        case let refusal: return refused(refusal, processID: processID)
        }
    }

    /// The answer to an execution that did not start: 503 (with `Retry-After`) while the host stops
    /// or runs the process itself, 409 when another command (`conveyor run`) runs it.
    func refused(_ outcome: ExecutionHost.Outcome, processID: String) -> Response {
        switch outcome {
        case .runningElsewhere(let message): Self.error(.conflict, message)
        case .busy: unavailable("process '\(processID)' is running and does not allow simultaneous executions")
        case .stopping, .finished: unavailable("the host is shutting down")
        }
    }

    /// `GET /api/executions?process=&status=&trigger=&host=&from=&to=&limit=`.
    func listExecutions(request: Request) -> Response {
        let parameters = request.uri.queryParameters
        if let unknown = Self.unknownParameter(in: request, allowed: ["process", "status", "trigger", "host", "from", "to", "limit"]) {
            return unknown
        }
        var query = ExecutionQuery()
        query.processID = parameters.get("process")
        query.host = parameters.get("host")
        if let trigger = parameters.get("trigger") {
            guard Trigger(rawValue: trigger) != nil else {
                let known = Trigger.allCases.map(\.rawValue).joined(separator: ", ")
                return Self.error(.badRequest, "trigger '\(trigger)' is not one of \(known)")
            }
            query.trigger = trigger
        }
        if let status = parameters.get("status") {
            guard let parsed = ExecutionStatus(rawValue: status.uppercased()) else {
                let known = ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", ")
                return Self.error(.badRequest, "status '\(status)' is not one of \(known)")
            }
            query.status = parsed
        }
        for (name, keyPath) in [("from", \ExecutionQuery.from), ("to", \ExecutionQuery.to)] {
            guard let text = parameters.get(name) else { continue }
            guard let date = HostJSON.date(text) else {
                return Self.error(.badRequest, "\(name) '\(text)' is not an ISO-8601 time such as 2026-01-31T12:00:00Z")
            }
            query[keyPath: keyPath] = date
        }
        switch Self.limit(parameters.get("limit")) {
        case .success(let limit): if let limit { query.limit = limit }
        case .failure(let answer): return answer.response
        }
        do {
            let records = try store.executions(matching: query)
            return Self.json(["executions": records])
        } catch {
            return storeFailure(error)
        }
    }

    /// `GET /api/executions/{id}` (an id prefix of at least 8 characters works too).
    func execution(id: String) -> Response {
        switch record(id: id) {
        case .success(let record): Self.json(record)
        case .failure(let answer): answer.response
        }
    }

    /// The execution with this id or id prefix; 404 when there is none, 400 for an ambiguous
    /// prefix (the store's explanation, without its file's path).
    func record(id: String) -> Result<ExecutionRecord, ResponseError> {
        do {
            guard let record = try store.execution(id: id) else {
                return .failure(ResponseError(response: Self.error(.notFound, "no execution '\(id)'")))
            }
            return .success(record)
        } catch let error as StoreError where !error.isDatabaseFailure {
            return .failure(ResponseError(response: Self.error(.badRequest, "execution '\(id)': \(error.message)")))
        } catch {
            return .failure(ResponseError(response: storeFailure(error)))
        }
    }

    /// `GET /api/executions/{id}/documents/{index}`: the document's tracking records.
    func document(executionID: String, index text: String) -> Response {
        guard let index = Int(text), index >= 0 else {
            return Self.error(.badRequest, "document index '\(text)' is not a number (0, 1, …)")
        }
        let record: ExecutionRecord
        switch self.record(id: executionID) {
        case .success(let found): record = found
        case .failure(let answer): return answer.response
        }
        do {
            let records = try store.documents(executionID: record.id, index: index)
            guard !records.isEmpty else {
                return Self.error(.notFound, "execution \(record.id) has no tracking records for document \(index)")
            }
            return Self.json(["records": records])
        } catch {
            return storeFailure(error)
        }
    }

    /// `GET /api/tracked?field=NAME&value=V[&limit=N]`.
    func searchTracked(request: Request) -> Response {
        let parameters = request.uri.queryParameters
        if let unknown = Self.unknownParameter(in: request, allowed: ["field", "value", "limit"]) { return unknown }
        guard let field = parameters.get("field"), let value = parameters.get("value") else {
            return Self.error(.badRequest, "give the tracked field and value: /api/tracked?field=NAME&value=VALUE")
        }
        guard host.workspace.trackedFields[field] != nil else {
            let known = host.workspace.trackedFields.keys.sorted().joined(separator: ", ")
            return Self.error(.badRequest, "tracked field '\(field)' is not declared (fields: \(known.isEmpty ? "none" : known))")
        }
        let limit: Int
        switch Self.limit(parameters.get("limit")) {
        case .success(let given): limit = given ?? 100
        case .failure(let answer): return answer.response
        }
        do {
            let matches = try store.searchTracked(field: field, value: value, limit: limit,
                                                  numeric: host.workspace.trackedFields[field]?.type == .number)
            return Self.json(["matches": matches.map {
                HostJSON.MatchBody(field: $0.field, value: $0.value, execution: $0.execution,
                                   document: $0.document)
            }])
        } catch {
            return storeFailure(error)
        }
    }

    /// 500 for a store that failed; the log has the whole error, the answer no file path.
    func storeFailure(_ error: any Error) -> Response {
        logger.error("execution store failed", metadata: ["error": "\(error)"])
        let reason = (error as? StoreError).map { "\($0.operation): \($0.message)" } ?? "\(type(of: error))"
        return Self.error(.internalServerError, "the execution store failed: \(reason)")
    }

    /// The largest `limit` a request may ask for.
    static let maxLimit = 10_000

    /// A `limit` parameter: nil when absent, 400 unless it is a number from 1 to ``maxLimit``.
    static func limit(_ text: String?) -> Result<Int?, ResponseError> {
        guard let text else { return .success(nil) }
        guard let number = Int(text), (1...maxLimit).contains(number) else {
            return .failure(ResponseError(response: error(.badRequest, "limit '\(text)' is not a number from 1 to \(maxLimit)")))
        }
        return .success(number)
    }

    /// 400 naming a query parameter the route does not know (a misspelt filter would otherwise
    /// be ignored and return everything), or nil.
    static func unknownParameter(in request: Request, allowed: Set<String>) -> Response? {
        for (name, _) in request.uri.queryParameters where !allowed.contains(String(name)) {
            let known = allowed.sorted().joined(separator: ", ")
            return error(.badRequest, "unknown query parameter '\(name)' (known: \(known))")
        }
        return nil
    }
}
