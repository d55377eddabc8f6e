import ExecutionStore
import Foundation
import Hummingbird
import ProcessEngine

extension HostServer {
    /// `POST /api/executions/{id}/retry[?wait=false][&force=true]`, under the API's auth.
    func addRetryRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("/api/executions/:id/retry") { request, context in
            await self.retryFromAPI(request: request, executionID: context.parameters.get("id") ?? "")
        }
    }

    /// How a retry request ended.
    enum RetryAnswer: Sendable {
        /// Not started: the status and why.
        case refused(HTTPResponse.Status, String)
        /// Started in the background (`wait=false`).
        case accepted(String)
        /// Ran to its end.
        case finished(ExecutionRecord)
    }

    /// Retries the failed documents of execution `executionID` on this host (see ``RetryPlanner``).
    func retry(executionID: String, force: Bool, waits: Bool) async -> RetryAnswer {
        guard host.isAccepting else { return .refused(.serviceUnavailable, "the host is shutting down") }
        let retry: RetryPlanner.Retry
        do {
            retry = try RetryPlanner(store: store, workspace: host.workspace).retry(executionID: executionID, force: force)
        } catch let refusal as RetryPlanner.Refusal {
            return .refused(refusal.kind == .notFound ? .notFound : .conflict, redactor.redact(refusal.message))
        } catch let error as StoreError where !error.isDatabaseFailure {
            return .refused(.badRequest, "execution '\(executionID)': \(error.message)")
        } catch {
            return .refused(.internalServerError, "the execution store failed: \(type(of: error))")
        }
        let processID = retry.original.processID
        if !waits {
            switch host.start(processID: processID, trigger: .retry, executionID: retry.executionID, retry: retry.plan) {
            case .failure(let refusal): return refusedRetry(refusal.outcome, processID: processID)
            case .success: return .accepted(retry.executionID)
            }
        }
        let outcome = await host.run(processID: processID, trigger: .retry, executionID: retry.executionID,
                                     retry: retry.plan)
        guard case .finished(let execution, _) = outcome else { return refusedRetry(outcome, processID: processID) }
        if execution.status == .error, execution.error?.hasPrefix("could not record the execution") == true {
            // Another host or command recorded a retry with this id first.
            return .refused(.conflict, "execution \(retry.original.id) is being retried by another host or command "
                            + "(\(retry.executionID)); nothing was sent again here")
        }
        return .finished(summary(of: execution))
    }

    private func refusedRetry(_ outcome: ExecutionHost.Outcome, processID: String) -> RetryAnswer {
        switch outcome {
        case .runningElsewhere(let message): .refused(.conflict, message)
        case .busy: .refused(.serviceUnavailable,
                             "process '\(processID)' is running and does not allow simultaneous executions")
        case .stopping, .finished: .refused(.serviceUnavailable, "the host is shutting down")
        }
    }

    /// The REST answer: the retry execution's record (200), 202 with its location for
    /// `wait=false`, or an error.
    func retryFromAPI(request: Request, executionID: String) async -> Response {
        if let unknown = Self.unknownParameter(in: request, allowed: ["wait", "force"]) { return unknown }
        let query = request.uri.queryParameters
        let waits: Bool
        switch query.get("wait") {
        case nil, "true", "1": waits = true
        case "false", "0": waits = false
        case let other?: return Self.error(.badRequest, "wait '\(other)' is not true or false")
        }
        let force: Bool
        switch query.get("force") {
        case nil, "false", "0": force = false
        case "true", "1": force = true
        case let other?: return Self.error(.badRequest, "force '\(other)' is not true or false")
        }
        switch await retry(executionID: executionID, force: force, waits: waits) {
        case .refused(let status, let message):
            return status == .serviceUnavailable ? unavailable(message) : Self.error(status, message)
        case .accepted(let id):
            return Self.json(HostJSON.AcceptedBody(id: id, status: "ACCEPTED", location: "/api/executions/\(id)"),
                             status: .accepted, headers: [.location: "/api/executions/\(id)"])
        case .finished(let record):
            return Self.json(record, headers: [.location: "/api/executions/\(record.id)"])
        }
    }
}
