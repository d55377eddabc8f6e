import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Shared by the test targets that start local servers.
///
/// A Python server started by a test, listening on 127.0.0.1 on a port it chose itself.
public final class LocalServer {
    public let port: Int
    public let directory: URL
    private let process: Process

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The package root, found from this file's location.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
    }

    /// `CONVEYOR_PYTHON`, else `<package root>/.venv-bq/bin/python`, else `python3` on the PATH.
    public static var python: [String] {
        if let configured = ProcessInfo.processInfo.environment["CONVEYOR_PYTHON"], !configured.isEmpty {
            return [configured]
        }
        let venv = packageRoot.appendingPathComponent(".venv-bq/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) {
            return [venv]
        }
        return ["/usr/bin/env", "python3"]
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts `script` with `arguments` plus `--port-file`, and waits until it reports its port.
    public init(script: URL, arguments: [String] = [], directory: URL? = nil) async throws {
        let directory = try directory ?? Self.temporaryDirectory()
        let portFile = directory.appendingPathComponent("port-\(UUID().uuidString)")
        let errorFile = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        let python = Self.python
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + [script.path] + arguments + ["--port-file", portFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()

        var port: Int?
        for _ in 0..<300 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let value = Int(text) {
                port = value
                break
            }
            if !process.isRunning {
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let port else {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
            }
            let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw StartFailure(description: "\(script.lastPathComponent) did not start: \(errors)")
        }
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    public func url(_ path: String, scheme: String = "http") -> String {
        "\(scheme)://127.0.0.1:\(port)\(path)"
    }

    /// Stops the server process.
    ///
    /// Uses SIGKILL: children started by `Process` inherit a signal mask that may block SIGTERM.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
    }
}

/// Collects values from `@Sendable` closures.
public final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    public init() {}

    public func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    public var all: [Value] {
        values.withLock { $0 }
    }
}

/// Decodes a JSON object body.
public func jsonObject(_ body: [UInt8]) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(body))
    return value as? [String: Any] ?? [:]
}
