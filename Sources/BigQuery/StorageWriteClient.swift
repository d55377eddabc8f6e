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

    /// Reads `host:port`; nil when it is not of that form.
    static func parse(_ text: String, plaintext: Bool) -> StorageEndpoint? {
        var text = Substring(text)
        for scheme in ["http://", "https://", "dns:///"] where text.hasPrefix(scheme) { text = text.dropFirst(scheme.count) }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (1...65_535).contains(port), colon > text.startIndex else { return nil }
        return StorageEndpoint(host: String(text[..<colon]), port: port, plaintext: plaintext)
    }
}

/// One gRPC channel to the Storage Write API with the connection's access tokens.
final class StorageWriteClient: Sendable {
    typealias Transport = HTTP2ClientTransport.Posix
    typealias Service = Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.Client<Transport>

    let endpoint: StorageEndpoint
    let tokens: any AccessTokenProvider
    private let grpc: GRPCClient<Transport>
    let service: Service
    private let runner: Task<Void, Never>
    /// The deadline of unary calls (the connection's request timeout).
    let callOptions: CallOptions

    /// Opens the channel (connections are made lazily, on the first call); unary calls time out after `timeout`.
    init(endpoint: StorageEndpoint, tokens: any AccessTokenProvider, timeout: Duration = .seconds(60)) throws {
        let security: HTTP2ClientTransport.Posix.TransportSecurity = endpoint.plaintext ? .plaintext : .tls
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: endpoint.host, port: endpoint.port), transportSecurity: security)
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
        return AppendConnection(service: service, metadata: metadata, token: token)
    }

    /// Stops the channel once the calls in flight end.
    func shutdown() async {
        grpc.beginGracefulShutdown()
        await runner.value
    }
}
