import Foundation
import Testing

/// The `http` connector's edges, through the built binary against the test API on loopback: a
/// private certificate authority trusted only through `<caFile>`, `Retry-After` waited in full (and
/// cut at `maxBackoff`), one rate limit shared by every shape using a connection, and a listing of
/// hundreds of megabytes read page by page in bounded memory.
@Suite("the http connector's TLS, waits, shared limits and memory end to end")
struct HTTPConnectorLimitsEndToEndTests {
    /// A certificate authority and a server certificate it signed for 127.0.0.1, made with openssl.
    struct PrivateCA {
        let directory: String
        var authority: String { directory + "/ca.pem" }
        var certificate: String { directory + "/server.pem" }
        var key: String { directory + "/server.key" }

        init() throws {
            directory = try Harness.temporaryDirectory("private-ca")
            try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
            let steps: [[String]] = [
                ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                 "-subj", "/CN=Conveyor Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
                ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", "server.pem", "-days", "2", "-extfile", "server.ext"],
            ]
            for arguments in steps {
                let output = try Harness.run("/usr/bin/openssl", arguments, in: directory)
                try #require(output.status == 0, "openssl \(arguments): \(output.stderr)")
            }
        }
    }

    static func connection(_ id: String, _ base: String, _ extra: String) -> String {
        #"<connection id="\#(id)" type="http"><baseUrl>\#(base)</baseUrl>\#(extra)</connection>"#
    }

    static func run(_ process: String, _ workspace: String) throws -> (status: Int32, said: String, seconds: Double) {
        let started = Date()
        let result = try HTTPConnectorEndToEndTests.run(process, workspace)
        return (result.status, result.said, Date().timeIntervalSince(started))
    }

    @Test func aPrivateAuthorityIsTrustedOnlyThroughCAFile() throws {
        let ca = try PrivateCA()
        defer { try? FileManager.default.removeItem(atPath: ca.directory) }
        let api = try HTTPTestAPI(tls: (ca.certificate, ca.key))
        #expect(api.url.hasPrefix("https://"))
        try FileManager.default.createDirectory(atPath: ca.directory + "/empty", withIntermediateDirectories: true)
        let root = try HTTPConnectorEndToEndTests.workspace(api.url, operations: [
            "trusted": Self.connection("trusted", api.url, "<caFile>\(ca.authority)</caFile><retry maxAttempts=\"1\"/>"),
            "system": Self.connection("system", api.url, #"<retry maxAttempts="1"/>"#),
            "item": HTTPConnectorEndToEndTests.get("item", "/items/{value}"),
        ], processes: ["trusted": "trusted item", "system": "system item"],
           inputs: ["trusted": [#"{"key":"over-tls","value":"42"}"#], "system": [#"{"key":"refused","value":"7"}"#]])
        defer { try? FileManager.default.removeItem(atPath: root) }

        let trusted = try Self.run("trusted", root)
        #expect(trusted.status == 0, "\(trusted.said)")
        #expect(try HTTPConnectorEndToEndTests.json(root, "over-tls.json")["id"] as? String == "42")

        // Without <caFile> the system's roots do not know the authority: the document fails,
        // naming the certificate problem, and nothing is sent on.
        let system = try Self.run("system", root)
        #expect(system.status == 1, "\(system.said)")
        #expect(system.said.lowercased().contains("certificate"), "\(system.said)")
        #expect(!FileManager.default.fileExists(atPath: root + "/out/refused.json"))
    }

    @Test func retryAfterIsWaitedInFullUpToMaxBackoff() throws {
        let api = try HTTPTestAPI()
        let root = try HTTPConnectorEndToEndTests.workspace(api.url, operations: [
            "patient": Self.connection("patient", api.url, #"<retry maxAttempts="3" initialBackoff="10ms" maxBackoff="5s"/>"#),
            "hurried": Self.connection("hurried", api.url, #"<retry maxAttempts="2" initialBackoff="10ms" maxBackoff="1s"/>"#),
            "flaky": HTTPConnectorEndToEndTests.get("flaky", "/flaky/{value}",
                                                     #"<queryParameter name="fail" value="1"/><queryParameter name="status" value="429"/>"#
                                                     + #"<queryParameter name="after" value="{process:after}"/>"#),
        ], processes: ["patient": "patient flaky", "hurried": "hurried flaky"],
           inputs: ["patient": [#"{"key":"patient","value":"wait-2s"}"#], "hurried": [#"{"key":"hurried","value":"wait-30s"}"#]])
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (process, after) in [("patient", "2"), ("hurried", "30")] {
            let path = root + "/processes/p-\(process).xml"
            let xml = try String(contentsOfFile: path, encoding: .utf8)
            try xml.replacingOccurrences(of: #"<property name="expected" value="s3cret-pass"/>"#,
                                         with: #"<property name="after" value="\#(after)"/>"#)
                .write(toFile: path, atomically: true, encoding: .utf8)
        }

        // 429 with Retry-After: 2, then 200: the second attempt starts 2 s after the first answer.
        let patient = try Self.run("patient", root)
        #expect(patient.status == 0, "\(patient.said)")
        #expect(patient.seconds >= 2, "waited \(patient.seconds) s: \(patient.said)")
        #expect(try HTTPConnectorEndToEndTests.json(root, "patient.json")["attempts"] as? Int == 2)
        // The wait was told on stderr as it began: the request without its query, why, and for how long.
        #expect(patient.said.contains("retry: shape 'call': GET \(api.url)/flaky/wait-2s failed (HTTP 429); attempt 2 of 3 in 2.0 s"),
                "\(patient.said)")
        #expect(!patient.said.contains("fail=1"), "\(patient.said)")

        // Retry-After: 30 with maxBackoff 1s: the connection waits 1 s, not 30.
        let hurried = try Self.run("hurried", root)
        #expect(hurried.status == 0, "\(hurried.said)")
        #expect(hurried.seconds >= 1 && hurried.seconds < 15, "waited \(hurried.seconds) s: \(hurried.said)")
        #expect(hurried.said.contains("GET \(api.url)/flaky/wait-30s failed (HTTP 429); attempt 2 of 2 in 1.0 s"), "\(hurried.said)")
    }

    @Test func aRetryLineNeverShowsASecretInTheRequest() async throws {
        let api = try HTTPTestAPI()
        // A secret in the path and in the query: the query is left out of the line, the path's
        // secret is redacted (HTTPConnectorEndToEndTests.run checks that no secret value is shown).
        let root = try HTTPConnectorEndToEndTests.workspace(api.url, operations: [
            "keyed": HTTPConnectorEndToEndTests.get("keyed", "/flaky/k-${secret:API_TOKEN}-{value}",
                                                     #"<queryParameter name="fail" value="1"/>"#
                                                     + #"<queryParameter name="key" value="${secret:API_PASSWORD}"/>"#),
        ], processes: ["keyed": "api keyed"], inputs: ["keyed": [#"{"key":"keyed","value":"1"}"#]])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let keyed = try Self.run("keyed", root)
        #expect(keyed.status == 0, "\(keyed.said)")
        let line = try #require(keyed.said.split(separator: "\n").first { $0.hasPrefix("retry: shape 'call': GET ") },
                                "\(keyed.said)")
        #expect(line.contains("/flaky/k-***-1 failed (HTTP 503); attempt 2 of 3 in "), "\(line)")
        #expect(!line.contains("?") && !line.contains("key="), "\(line)")

        // A host logs the same line as a warning with the execution's id, redacted as well (a new
        // name for the test API, which fails only the first request of each).
        try #"{"key":"keyed","value":"2"}"#.write(toFile: root + "/in/keyed.jsonl", atomically: true, encoding: .utf8)
        let host = try await ServeHost.start(workspace: root, arguments: ["--no-auth"],
                                             environment: HTTPConnectorEndToEndTests.secrets)
        defer { Task { try? await host.stop() } }
        let answer = try await ServeHost.curl(["-X", "POST", host.base + "/api/processes/p-keyed/executions"])
        #expect(answer.contains("\"COMPLETE\""), "\(answer)")
        let log = host.log
        for value in HTTPConnectorEndToEndTests.secrets.values { #expect(!log.contains(value), "\(log)") }
        let warning = try #require(log.split(separator: "\n").first { $0.contains("retry: shape 'call': GET ") }, "\(log)")
        #expect(warning.contains("warning") && warning.contains("execution=ex-")
                    && warning.contains("/flaky/k-***-2 failed (HTTP 503); attempt 2 of 3 in "), "\(warning)")
        try await host.stop()
    }

    @Test func shapesUsingOneConnectionShareItsRateLimit() throws {
        let api = try HTTPTestAPI()
        var files = [
            "connectors/limited.xml": Self.connection("limited", api.url, "<requestsPerSecond>10</requestsPerSecond>"),
            "connectors/item.xml": HTTPConnectorEndToEndTests.get("item", "/items/{value}"),
            "connectors/again.xml": HTTPConnectorEndToEndTests.get("again", "/items/{value}"),
            "connectors/inbox.xml": #"<connection id="inbox" type="disk"><directory>in</directory></connection>"#,
            "connectors/read.xml": #"<operation id="read" type="disk" action="get"><filePattern>*.jsonl</filePattern><split by="json-lines"/></operation>"#,
            "processes/twice.xml": """
                <process id="twice" name="twice">
                  <shapes>
                    <start id="start" next="tag"><connector connection="inbox" operation="read"/></start>
                    <setProperties id="tag" next="first">
                      <property scope="document" name="value"><value source="profile" path="/value"/></property>
                    </setProperties>
                    <connector id="first" connection="limited" operation="item" next="second"/>
                    <connector id="second" connection="limited" operation="again" next="done"/>
                    <stop id="done"/>
                  </shapes>
                </process>
                """,
        ]
        files["in/docs.jsonl"] = (1...15).map { #"{"value":"\#($0)"}"# }.joined(separator: "\n") + "\n"
        let root = try Harness.workspace("http-shared-limit", files: files)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // 30 requests through one connection at 10 a second take at least 2.9 s; with a limit per
        // shape they would take 1.5 s.
        let started = Date()
        let output = try Harness.conveyor(["run", "twice", "--workspace", root])
        let seconds = Date().timeIntervalSince(started)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(seconds >= 2.9, "30 requests in \(seconds) s")
    }

    @Test func aListingOfHundredsOfMegabytesIsReadInBoundedMemory() throws {
        // 200,000 items of about 540 bytes: 108 MB of JSON in 200 pages of 1,000.
        let count = 200_000
        let api = try HTTPTestAPI(items: count, pad: 500)
        let root = try HTTPConnectorEndToEndTests.workspace(api.url, operations: [
            "offset": HTTPConnectorEndToEndTests.get("offset", "/pages/offset", #"<pagination style="offset" limit="1000"/><split path="/items"/>"#),
        ], processes: ["big": "start api offset"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (output, peakKB) = try PeakMemory.conveyor(["run", "p-big", "--workspace", root],
                                                     environment: HTTPConnectorEndToEndTests.secrets)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let written = try FileManager.default.attributesOfItem(atPath: root + "/out/big.jsonl")[.size] as? Int ?? 0
        #expect(written > 100_000_000, "\(written) bytes written")
        var lines = 0
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: root + "/out/big.jsonl"))
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { lines += chunk.count { $0 == UInt8(ascii: "\n") } }
        #expect(lines == count)
        // The whole listing held at once would take more than 100 MB; one page is half a megabyte.
        #expect(peakKB < 80_000, "peak RSS \(peakKB) kB for \(written) bytes")
        print("http listing memory: \(count) items, \(written) bytes, peak RSS \(peakKB) kB")
    }
}
