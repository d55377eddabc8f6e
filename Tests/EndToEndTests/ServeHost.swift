import Foundation
import Testing

/// A `conveyor serve` running in the background, its log in a file.
struct ServeHost {
    let process: Process
    let logPath: String
    let base: String

    /// Starts `conveyor serve --workspace workspace --port 0 --no-schedules` with `arguments` and
    /// waits for its "host started" line.
    static func start(workspace: String, arguments: [String], environment: [String: String] = [:],
                      logName: String = "serve.log") async throws -> ServeHost {
        let logPath = workspace + "/" + logName
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.conveyor)
        process.arguments = ["serve", "--workspace", workspace, "--port", "0", "--no-schedules"] + arguments
        process.environment = try Harness.environment(forWorkspace: workspace).merging(environment) { $1 }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var port: String?
        for _ in 0..<400 where port == nil && process.isRunning {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.contains("host started") }),
               let range = line.range(of: "port=") {
                port = String(line[range.upperBound...].prefix { $0.isNumber })
            }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        guard let port else {
            if process.isRunning { process.terminate() }
            throw ServeError(message: "serve did not start; its log:\n\(log)")
        }
        return ServeHost(process: process, logPath: logPath, base: "http://127.0.0.1:\(port)")
    }

    /// What the host logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits (up to 10 s) for the host to exit; returns whether it did.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async throws -> Bool {
        guard process.isRunning else { return true }
        kill(process.processIdentifier, signal)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    /// `curl -s` with arguments; returns stdout.
    static func curl(_ arguments: [String]) throws -> String {
        try Harness.run("/usr/bin/curl", ["-s", "-S", "--max-time", "30"] + arguments).stdout
    }

    struct ServeError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
