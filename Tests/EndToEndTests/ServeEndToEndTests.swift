import Foundation
import Testing

/// `conveyor serve` on a copy of the sample workspace with a listener process.
@Suite struct ServeEndToEndTests {
    static let listener = """
        <process id="echo-order" name="Echo order">
          <shapes>
            <start id="start" next="reply">
              <listener path="/orders" method="POST"/>
            </start>
            <message id="reply" next="done">
              <text>{{"received": "{1}", "via": "{2}"}}</text>
              <value source="document" property="http.header.x-order"/>
              <value source="document" property="http.method"/>
            </message>
            <returnDocuments id="done"/>
          </shapes>
        </process>
        """

    func curl(_ arguments: [String]) throws -> String {
        try Harness.run("/usr/bin/curl", ["-s", "-S", "--max-time", "30"] + arguments).stdout
    }

    @Test func serveAnswersAListenerAndTheAPIAndStopsOnSIGTERM() async throws {
        let workspace = try Harness.sampleWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try Self.listener.write(toFile: workspace + "/processes/echo-order.xml", atomically: true, encoding: .utf8)
        let logPath = workspace + "/serve.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.conveyor)
        process.arguments = ["serve", "--workspace", workspace, "--port", "0", "--auth", "bearer:E2E_TOKEN",
                             "--no-schedules"]
        process.environment = try Harness.environment(forWorkspace: workspace).merging(["CONVEYOR_SECRET_E2E_TOKEN": "e2e-secret"]) { $1 }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var port: String?
        for _ in 0..<300 where port == nil {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.contains("host started") }),
               let range = line.range(of: "port=") {
                port = String(line[range.upperBound...].prefix { $0.isNumber })
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let base = "http://127.0.0.1:\(try #require(port, "serve did not start"))"
        let auth = ["-H", "Authorization: Bearer e2e-secret"]

        #expect(try curl(["-o", "/dev/null", "-w", "%{http_code}", base + "/orders", "-d", "x"]) == "401")
        let answer = try curl(auth + ["-H", "X-Order: A-17", base + "/orders", "--data-binary", "{}"])
        #expect(answer == #"{"received": "A-17", "via": "POST"}"#)

        let list = try curl(auth + [base + "/api/executions?process=echo-order&trigger=listener"])
        let executions = try #require((try Harness.json(list) as? [String: Any])?["executions"] as? [[String: Any]])
        #expect(executions.count == 1)
        #expect(executions.first?["status"] as? String == "COMPLETE")
        let id = try #require(executions.first?["id"] as? String)
        #expect(try curl(auth + [base + "/api/executions/\(id)"]).contains(#""processId":"echo-order""#))

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.contains("host stopping"))
        #expect(log.contains("host stopped"))
        #expect(!log.contains("e2e-secret"))
        let stored = try await Harness.conveyor(["executions", "--workspace", workspace])
        #expect(stored.stdout.contains(id) || stored.stdout.contains(String(id.prefix(20))))
    }
}
