import ConveyorBase
import Foundation
import BigQueryStorage
import GoogleAuth
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf

/// Where the Storage Write API is reached: `bigquerystorage.googleapis.com:443` over TLS, a
/// `<storageWriteEndpoint>`, or `BIGQUERY_STORAGE_EMULATOR_HOST` (plaintext).
struct StorageEndpoint: Sendable, Hashable {
    var host: String
    var port: Int
    var plaintext: Bool

    static let google = StorageEndpoint(host: "bigquerystorage.googleapis.com", port: 443, plaintext: false)

    /// Reads `host:port`, `http://host:port` (plaintext) or `https://host[:port]` (TLS, port 443 by
    /// default); a trailing `/` is ignored. nil when it is not of that form.
    static func parse(_ text: String, plaintext: Bool) -> StorageEndpoint? {
        var text = Substring(text.trimming(.whitespacesAndNewlines))
        var plaintext = plaintext
        var defaultPort: Int?
        if text.lowercased().hasPrefix("http://") {
            text = text.dropFirst("http://".count)
            plaintext = true
            defaultPort = 80
        } else if text.lowercased().hasPrefix("https://") {
            text = text.dropFirst("https://".count)
            plaintext = false
            defaultPort = 443
        } else if text.hasPrefix("dns:///") {
            text = text.dropFirst("dns:///".count)
        }
        while text.hasSuffix("/") { text = text.dropLast() }
        let host: Substring
        let port: Int
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            guard let number = Int(text[text.index(after: colon)...]) else { return nil }
            host = text[..<colon]
            port = number
        } else {
            guard let defaultPort else { return nil }
            host = text
            port = defaultPort
        }
        var name = String(host)
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        guard (1...65_535).contains(port), !name.isEmpty, !name.contains("/"), !name.contains(where: \.isWhitespace) else {
            return nil
        }
        return StorageEndpoint(host: name, port: port, plaintext: plaintext)
    }
}

extension StorageEndpoint {
    /// `AF_INET` or `AF_INET6` when the host is an IP address, nil for a name.
    var addressFamily: Int32? {
        var address = in6_addr()
        if inet_pton(AF_INET, host, &address) == 1 { return AF_INET }
        if inet_pton(AF_INET6, host, &address) == 1 { return AF_INET6 }
        return nil
    }
}

/// One gRPC channel to the Storage Write API with the connection's access tokens.
final class StorageWriteClient: Sendable {
    typealias Transport = HTTP2ClientTransport.Posix
    typealias Service = Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.Client<Transport>

    let endpoint: StorageEndpoint
    let tokens: any AccessTokenProvider
    let grpc: GRPCClient<Transport>
    let service: Service
    private let runner: Task<Void, Never>
    /// The deadline of unary calls (the connection's request timeout).
    let callOptions: CallOptions

    /// Opens the channel (connections are made lazily, on the first call); unary calls time out after `timeout`.
    /// Over TLS the server's certificate and name are verified against the system's authorities or,
    /// with `caFile` (the connection's `<caFile>`, PEM), against that file's only, as the REST calls are.
    init(endpoint: StorageEndpoint, tokens: any AccessTokenProvider, timeout: Duration = .seconds(60),
         caFile: String? = nil) throws {
        let security: HTTP2ClientTransport.Posix.TransportSecurity
        if endpoint.plaintext {
            security = .plaintext
        } else if let caFile {
            security = .tls { $0.trustRoots = .certificates([.file(path: caFile, format: .pem)]) }
        } else {
            security = .tls
        }
        let transport: Transport
        // An IP address over TLS is connected to as such: a name looked up would be sent as the
        // server name (SNI), which may not be an address; the certificate is then checked against
        // the address.
        switch endpoint.plaintext ? nil : endpoint.addressFamily {
        case AF_INET?: transport = try Transport(target: .ipv4(address: endpoint.host, port: endpoint.port), transportSecurity: security)
        case AF_INET6?: transport = try Transport(target: .ipv6(address: endpoint.host, port: endpoint.port), transportSecurity: security)
        default: transport = try Transport(target: .dns(host: endpoint.host, port: endpoint.port), transportSecurity: security)
        }
        let grpc = GRPCClient(transport: transport)
        self.endpoint = endpoint
        self.tokens = tokens
        self.grpc = grpc
        var callOptions = CallOptions.defaults
        callOptions.timeout = timeout
        self.callOptions = callOptions
        self.service = Service(wrapping: grpc)
        self.runner = Task { try? await grpc.runConnections() }
    }

    /// Request metadata: the bearer token and the routing header Google's front end needs.
    func metadata(routing: String) async throws -> (Metadata, AccessToken?) {
        var metadata = Metadata()
        metadata.addString(routing, forKey: "x-goog-request-params")
        let token = try await tokens.token()
        if let token { metadata.addString("Bearer \(token.value)", forKey: "authorization") }
        return (metadata, token)
    }

    /// `CreateWriteStream` of `type` on `table`.
    func createWriteStream(table: TableReference, committed: Bool) async throws -> String {
        let parent = "projects/\(table.project)/datasets/\(table.dataset)/tables/\(table.table)"
        var request = Google_Cloud_Bigquery_Storage_V1_CreateWriteStreamRequest()
        request.parent = parent
        request.writeStream.type = committed ? .committed : .pending
        let (metadata, _) = try await metadata(routing: "parent=\(parent)")
        let stream = try await service.createWriteStream(request, metadata: metadata, options: callOptions)
        return stream.name
    }

    /// `FinalizeWriteStream`: no more appends; returns the stream's row count.
    func finalize(stream: String) async throws -> Int64 {
        var request = Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamRequest()
        request.name = stream
        let (metadata, _) = try await metadata(routing: "name=\(stream)")
        return try await service.finalizeWriteStream(request, metadata: metadata, options: callOptions).rowCount
    }

    /// Opens a bidirectional `AppendRows` stream for `stream`.
    func openAppend(stream: String) async throws -> AppendConnection {
        let (metadata, token) = try await metadata(routing: "write_stream=\(stream)")
        return AppendConnection(client: grpc, metadata: metadata, token: token)
    }

    /// Stops the channel once the calls in flight end, or at once after `limit`: a connection to a
    /// far end that accepted it and never answered (its HTTP/2 handshake never done) would keep the
    /// graceful shutdown, and the run, waiting for ever.
    func shutdown(within limit: Duration) async {
        grpc.beginGracefulShutdown()
        await runner.end(within: limit)
    }
}
