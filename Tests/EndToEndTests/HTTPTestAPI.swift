import Foundation
import Testing

/// `scripts/http_test_api.py` (httpbin and a paginated listing) on a loopback port, for the
/// lifetime of the value.
final class HTTPTestAPI {
    let process: Process
    let directory: String
    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    let url: String

    /// The API with `items` items in its listings (each padded with `pad` characters), speaking
    /// HTTPS with the certificate and key files of `tls` when given.
    init(items: Int = 250, pad: Int = 0, tls: (certificate: String, key: String)? = nil) throws {
        directory = try Harness.temporaryDirectory("http-api")
        process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.python)
        process.arguments = [Harness.packageRoot + "/scripts/http_test_api.py", "--port", "0",
                             "--port-file", directory + "/port", "--items", "\(items)", "--pad", "\(pad)"]
            + (tls.map { ["--tls-cert", $0.certificate, "--tls-key", $0.key] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var port: String?
        for _ in 0..<300 {
            if let text = try? String(contentsOfFile: directory + "/port", encoding: .utf8),
               !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                port = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        url = (tls == nil ? "http" : "https") + "://127.0.0.1:\(try #require(port, "the test API did not start (is httpbin installed? see scripts/setup.sh)"))"
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
