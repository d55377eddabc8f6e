import Foundation

/// Certificates the TLS tests make with the `openssl` command.
public enum TestCertificates {
    /// A self-signed certificate (usable as its own CA) for `altName` (`IP:127.0.0.1`,
    /// `DNS:localhost`), written into `directory` as `NAME-cert.pem` and `NAME-key.pem`; their paths.
    public static func selfSigned(_ name: String, altName: String, in directory: URL) throws -> (cert: String, key: String) {
        let key = directory.appendingPathComponent("\(name)-key.pem").path
        let cert = directory.appendingPathComponent("\(name)-cert.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
            "-days", "1", "-subj", "/CN=conveyor-test-\(name)", "-addext", "subjectAltName=\(altName)",
            "-addext", "basicConstraints=critical,CA:TRUE",
        ]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw Failure(status: openssl.terminationStatus) }
        return (cert, key)
    }

    /// `openssl req` failed.
    public struct Failure: Error, CustomStringConvertible {
        public var status: Int32
        public var description: String { "openssl req exited with \(status)" }
    }
}
