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
        if let wait = query.get("wait"), wait == "false" || wait == "0" {
            let id = ExecutionInfo.newID()
            guard host.launch(processID: processID, trigger: .manual, inputs: inputs, executionID: id) != nil else {
                return unavailable("the host is shutting down")
            }
            return Self.json(HostJSON.AcceptedBody(id: id, status: "ACCEPTED", location: "/api/executions/\(id)"),
                             status: .accepted, headers: [.location: "/api/executions/\(id)"])
        }
        switch await host.run(processID: processID, trigger: .manual, inputs: inputs) {
        case .stopping: return unavailable("the host is shutting down")
        case .busy: return unavailable("process '\(processID)' is running and does not allow simultaneous executions")
        case .finished(let execution, _): return Self.json(summary(of: execution))
        }
    }

    /// `GET /api/executions?process=&status=&trigger=&from=&to=&limit=`.
    func listExecutions(request: Request) -> Response {
        let parameters = request.uri.queryParameters
        var query = ExecutionQuery()
        query.processID = parameters.get("process")
        query.trigger = parameters.get("trigger")
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
        if let limit = parameters.get("limit") {
            guard let number = Int(limit), number > 0 else {
                return Self.error(.badRequest, "limit '\(limit)' is not a positive number")
            }
            query.limit = min(number, 10_000)
        }
        do {
            let records = try store.executions(matching: query)
            return Self.json(["executions": records.map(HostJSON.ExecutionBody.init)])
        } catch {
            return storeFailure(error)
        }
    }

    /// `GET /api/executions/{id}` (an id prefix of at least 8 characters works too).
    func execution(id: String) -> Response {
        do {
            guard let record = try store.execution(id: id) else {
                return Self.error(.notFound, "no execution '\(id)'")
            }
            return Self.json(HostJSON.ExecutionBody(record))
        } catch {
            return Self.error(.badRequest, "\(error)")
        }
    }

    /// `GET /api/executions/{id}/documents/{index}`: the document's tracking records.
    func document(executionID: String, index text: String) -> Response {
        guard let index = Int(text), index >= 0 else {
            return Self.error(.badRequest, "document index '\(text)' is not a number (0, 1, …)")
        }
        do {
            guard let record = try store.execution(id: executionID) else {
                return Self.error(.notFound, "no execution '\(executionID)'")
            }
            let records = try store.documents(executionID: record.id, index: index)
            guard !records.isEmpty else {
                return Self.error(.notFound, "execution \(record.id) has no tracking records for document \(index)")
            }
            return Self.json(["records": records.map(HostJSON.DocumentBody.init)])
        } catch {
            return storeFailure(error)
        }
    }

    /// `GET /api/tracked?field=NAME&value=V[&limit=N]`.
    func searchTracked(request: Request) -> Response {
        let parameters = request.uri.queryParameters
        guard let field = parameters.get("field"), let value = parameters.get("value") else {
            return Self.error(.badRequest, "give the tracked field and value: /api/tracked?field=NAME&value=VALUE")
        }
        let limit = parameters.get("limit").flatMap(Int.init) ?? 100
        do {
            let matches = try store.searchTracked(field: field, value: value, limit: max(1, min(limit, 10_000)),
                                                  numeric: host.workspace.trackedFields[field]?.type == .number)
            return Self.json(["matches": matches.map {
                HostJSON.MatchBody(field: $0.field, value: $0.value, execution: HostJSON.ExecutionBody($0.execution),
                                   document: HostJSON.DocumentBody($0.document))
            }])
        } catch {
            return storeFailure(error)
        }
    }

    private func storeFailure(_ error: any Error) -> Response {
        logger.error("execution store failed", metadata: ["error": "\(error)"])
        return Self.error(.internalServerError, "the execution store failed: \(error)")
    }
}
