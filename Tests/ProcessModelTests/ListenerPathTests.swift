import Foundation
import Testing
@testable import ProcessModel

/// Listener paths the host serves itself are refused when the workspace loads.
@Suite struct ListenerPathTests {
    static func process(_ id: String, path: String, method: String = "GET") -> String {
        """
        <process id="\(id)">
          <shapes>
            <start id="start" next="end"><listener path="\(path)" method="\(method)"/></start>
            <stop id="end"/>
          </shapes>
        </process>
        """
    }

    @Test func healthReadinessAndMetricsPathsAreReserved() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try write(Self.process("health", path: "/healthz"), to: "processes/health.xml", in: root)
        try write(Self.process("ready", path: "/readyz", method: "POST"), to: "processes/ready.xml", in: root)
        try write(Self.process("scrape", path: "/metrics"), to: "processes/scrape.xml", in: root)
        try write(Self.process("near", path: "/metrics/orders"), to: "processes/near.xml", in: root)
        let found = lines(diagnostics(of: root.path))
        let reserved = "is reserved by the host (its health, readiness and metrics endpoints)"
        #expect(found == [
            "processes/health.xml:3:34: error: listener path '/healthz' \(reserved)",
            "processes/ready.xml:3:34: error: listener path '/readyz' \(reserved)",
            "processes/scrape.xml:3:34: error: listener path '/metrics' \(reserved)",
        ], "\(found)")
    }
}
