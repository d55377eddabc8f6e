import ExecutionStore
import Foundation
import Hummingbird

extension HostServer {
    /// The paths answered without authentication: liveness and readiness, which tell nothing but
    /// "up" or "not ready" and a short reason, for probes that carry no credentials.
    static let unauthenticatedPaths: Set<String> = ["/healthz", "/readyz"]

    /// `GET /healthz`, `GET /readyz` and `GET /metrics` (the last behind the authentication).
    func addOperationsRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("/healthz") { _, _ in
            Self.plain(.ok, "ok")
        }
        group.get("/readyz") { _, _ in
            self.readiness()
        }
        group.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: HostMetrics.contentType],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.host.metricsExposition())))
        }
    }

    /// 200 `ok` when the host takes work and its execution store answers a read; else 503 with why.
    func readiness() -> Response {
        guard host.isAccepting else { return Self.plain(.serviceUnavailable, "not ready: the host is shutting down") }
        do {
            _ = try store.executions(matching: ExecutionQuery(limit: 1))
        } catch {
            logger.warning("readiness check: the execution store cannot be read", metadata: ["error": "\(error)"])
            let reason = (error as? StoreError).map { "\($0.operation): \($0.message)" } ?? "\(type(of: error))"
            return Self.plain(.serviceUnavailable, "not ready: the execution store cannot be read (\(reason))")
        }
        return Self.plain(.ok, "ok")
    }

    /// A plain-text answer ending in a line feed.
    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
