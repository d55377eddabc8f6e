import Foundation
import Testing
import TestSupport

/// The Storage Write API over TLS (`<storageWriteEndpoint>https://…`) verifies the server as the
/// REST calls do: against the system's authorities, or the connection's `<caFile>` only.
@Suite("storage-write over TLS", .serialized)
struct StorageWriteTLSTests {
    /// A TLS endpoint (the fault proxy, no faults) in front of the emulator's gRPC port, its
    /// certificate for `altName` self-signed, reached as `host`; and an unrelated authority.
    struct Endpoint {
        let proxy: FaultProxy
        let authority: String
        let unrelated: String
        let host: String
        var url: String { "https://\(host):" + (proxy.address.split(separator: ":").last.map(String.init) ?? "") }

        init(altName: String = "DNS:localhost", host: String = "localhost") throws {
            self.host = host
            _ = try Harness.emulatorHost()
            let storage = try #require(Harness.environment["BIGQUERY_STORAGE_EMULATOR_HOST"])
            let directory = URL(fileURLWithPath: try Harness.temporaryDirectory("tls"))
            let server = try TestCertificates.selfSigned("server", altName: altName, in: directory)
            authority = server.cert
            unrelated = try TestCertificates.selfSigned("other", altName: "DNS:localhost", in: directory).cert
            proxy = try FaultProxy(target: storage, mode: "tcp", rate: 0, tls: server)
        }
    }

    /// A workspace writing through `endpoint`, with `caFile` when given; the emulator variable
    /// emptied so that the connection's endpoint is used.
    func run(_ endpoint: Endpoint, caFile: String?, rows: Int) throws
        -> (output: Harness.Output, execution: [String: Any], workspace: LoadWorkspace) {
        let workspace = try LoadWorkspace(
            api: "storage-write", batchCount: 500,
            retry: #"<retry maxAttempts="2" initialBackoff="50ms" maxBackoff="100ms"/>"#,
            connection: "<storageWriteEndpoint>\(endpoint.url)</storageWriteEndpoint>"
                + (caFile.map { "<caFile>\($0)</caFile>" } ?? ""))
        try workspace.writeRows(rows)
        let (output, execution) = try workspace.run(environment: ["BIGQUERY_STORAGE_EMULATOR_HOST": ""])
        return (output, execution, workspace)
    }

    @Test("the connection's <caFile> is trusted: every row lands")
    func trustedThroughTheCAFile() throws {
        let endpoint = try Endpoint()
        let (output, execution, workspace) = try run(endpoint, caFile: endpoint.authority, rows: 2_000)
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout.prefix(1_500))")
        #expect(execution["documentsOut"] as? Int == 2_000)
        let found = try workspace.idStats()
        #expect(found.rows == 2_000 && found.distinct == 2_000, "\(found)")
        #expect((endpoint.proxy.stats()["connections"] ?? 0) >= 1, "the rows went through the TLS endpoint")
    }

    @Test("without a <caFile>, or with another authority's, the server is refused and nothing is written")
    func refusedOtherwise() throws {
        let endpoint = try Endpoint()
        for caFile in [nil, endpoint.unrelated] {
            let (output, execution, workspace) = try run(endpoint, caFile: caFile, rows: 300)
            #expect(output.status == 1, "\(output.stdout.prefix(1_500))")
            #expect(execution["status"] as? String == "ERROR")
            #expect(execution["documentsOut"] as? Int == 0)
            let error = execution["error"] as? String ?? ""
            #expect(error.contains("CERTIFICATE_VERIFY_FAILED"), "\(error)")
            #expect(try workspace.idStats().rows == 0)
        }
    }

    @Test("an IP address as the endpoint: checked against the certificate's addresses, no server name sent")
    func anAddressEndpoint() throws {
        let byAddress = try Endpoint(altName: "IP:127.0.0.1", host: "127.0.0.1")
        let (output, execution, workspace) = try run(byAddress, caFile: byAddress.authority, rows: 1_000)
        #expect(output.status == 0, "\(output.stderr)\n\(output.stdout.prefix(1_500))")
        #expect(execution["documentsOut"] as? Int == 1_000)
        #expect(try workspace.idStats().distinct == 1_000)
        // A certificate for a name only does not cover the address.
        let named = try Endpoint(altName: "DNS:localhost", host: "127.0.0.1")
        let (refused, refusedExecution, _) = try run(named, caFile: named.authority, rows: 100)
        #expect(refused.status == 1)
        #expect(refusedExecution["documentsOut"] as? Int == 0)
        let error = refusedExecution["error"] as? String ?? ""
        #expect(error.contains("failedToValidateHostname"), "\(error)")
    }

    @Test("a <caFile> that cannot be read: ERROR naming the file, nothing written")
    func unreadableCAFile() throws {
        let endpoint = try Endpoint()
        let missing = endpoint.authority + ".missing"
        let (output, execution, workspace) = try run(endpoint, caFile: missing, rows: 50)
        #expect(output.status == 1)
        #expect(execution["documentsOut"] as? Int == 0)
        let error = execution["error"] as? String ?? ""
        #expect(error.contains("<caFile> \(missing)") && error.contains("TLS"), "\(error)")
        #expect(try workspace.idStats().rows == 0)
    }
}
